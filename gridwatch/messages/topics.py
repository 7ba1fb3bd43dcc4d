"""The one table of Gridwatch topics: name, message type, key field, partition count, retention.

Everything that creates, produces to or consumes from a topic reads it from here; the schema version of
each topic is the ``schema_version`` its message type declares.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.messages.base import GwMessage
from gridwatch.messages.camera_status import CameraStatus
from gridwatch.messages.case_events import CaseEvent
from gridwatch.messages.dead_letter import DeadLetter
from gridwatch.messages.detections import FrameDetections
from gridwatch.messages.frames import Frame
from gridwatch.messages.incidents import Incident

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

FRAMES = "gw.frames"
DETECTIONS = "gw.detections"
INCIDENTS = "gw.incidents"
CASE_EVENTS = "gw.case-events"
CAMERA_STATUS = "gw.camera-status"
DEAD_LETTERS = "gw.dlq"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """How one topic is laid out and what it carries."""

    name: str
    message_type: type[GwMessage]
    key_field: str
    partitions: int
    retention_ms: int
    description: str

    @property
    def schema(self) -> str:
        """The schema version records on this topic carry, e.g. ``"gw.frames/1"``."""
        return self.message_type.schema_id()

    def topic_configs(self) -> dict[str, str]:
        """Broker-side topic configuration to create the topic with."""
        return {"retention.ms": str(self.retention_ms)}


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(FRAMES, Frame, "camera_id", 8, 6 * HOUR_MS, "Sampled camera images (JPEG) for the detectors."),
    TopicSpec(
        DETECTIONS, FrameDetections, "camera_id", 8, 3 * DAY_MS, "Per-frame detections of every camera."
    ),
    TopicSpec(INCIDENTS, Incident, "incident_id", 4, 30 * DAY_MS, "Incident episodes: new, update, end."),
    TopicSpec(CASE_EVENTS, CaseEvent, "case_id", 4, 365 * DAY_MS, "Audit trail of every case."),
    TopicSpec(CAMERA_STATUS, CameraStatus, "camera_id", 4, 7 * DAY_MS, "Camera health and frame counters."),
    TopicSpec(
        DEAD_LETTERS, DeadLetter, "source_topic", 1, 30 * DAY_MS, "Records a consumer rejected, with why."
    ),
)

_BY_NAME: dict[str, TopicSpec] = {spec.name: spec for spec in TOPICS}
_BY_TYPE: dict[type[GwMessage], TopicSpec] = {spec.message_type: spec for spec in TOPICS}
_BY_SCHEMA: dict[str, TopicSpec] = {spec.schema: spec for spec in TOPICS}


def topic_named(name: str) -> TopicSpec | None:
    """The spec of the topic called ``name``, or None when it is not a Gridwatch topic."""
    return _BY_NAME.get(name)


def topic_for(message_type: type[GwMessage]) -> TopicSpec:
    """The spec of the topic that carries ``message_type``."""
    try:
        return _BY_TYPE[message_type]
    except KeyError:
        raise KeyError(f"{message_type.__name__} is not carried by any Gridwatch topic") from None


def topic_with_schema(schema: str) -> TopicSpec | None:
    """The spec of the topic whose records carry ``schema``, or None for an unknown schema."""
    return _BY_SCHEMA.get(schema)
