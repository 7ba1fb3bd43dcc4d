"""Typed records for every Gridwatch topic, the topic table, and the codec between them and bytes."""

from gridwatch.messages.base import Box, EpochSeconds, GwMessage, Identifier, WireModel
from gridwatch.messages.camera_status import CameraCounters, CameraState, CameraStatus
from gridwatch.messages.case_events import SYSTEM_ACTOR, CaseEvent, CaseEventKind
from gridwatch.messages.codec import decode, decode_as, decode_record, encode, key_of, topic_of
from gridwatch.messages.dead_letter import DeadLetter
from gridwatch.messages.detections import FrameDetections, ModelRef, ObjectKind, StageTimings, WireDetection
from gridwatch.messages.errors import MalformedMessage
from gridwatch.messages.frames import Frame, FrameReason, SourceKind
from gridwatch.messages.incidents import CLASS_CODE_OF_RULE, ClassCode, Incident, Lifecycle, RuleKind
from gridwatch.messages.topics import TOPICS, TopicSpec, topic_for, topic_named

__all__ = [
    "CLASS_CODE_OF_RULE",
    "SYSTEM_ACTOR",
    "TOPICS",
    "Box",
    "CameraCounters",
    "CameraState",
    "CameraStatus",
    "CaseEvent",
    "CaseEventKind",
    "ClassCode",
    "DeadLetter",
    "EpochSeconds",
    "Frame",
    "FrameDetections",
    "FrameReason",
    "GwMessage",
    "Identifier",
    "Incident",
    "Lifecycle",
    "MalformedMessage",
    "ModelRef",
    "ObjectKind",
    "RuleKind",
    "SourceKind",
    "StageTimings",
    "TopicSpec",
    "WireDetection",
    "WireModel",
    "decode",
    "decode_as",
    "decode_record",
    "encode",
    "key_of",
    "topic_for",
    "topic_named",
    "topic_of",
]
