"""One valid message of every type, for tests of anything that carries messages."""

from __future__ import annotations

import numpy as np

from gridwatch.detections import Detections
from gridwatch.messages import (
    CameraCounters,
    CameraState,
    CameraStatus,
    CaseEvent,
    CaseEventKind,
    ClassCode,
    DeadLetter,
    Frame,
    FrameDetections,
    FrameReason,
    GwMessage,
    Incident,
    Lifecycle,
    ModelRef,
    ObjectKind,
    RuleKind,
    SourceKind,
    StageTimings,
)

T0 = 1_763_800_000.0
#: Smallest byte string the frame validation accepts as a JPEG (SOI ... EOI).
TINY_JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\xff\xd9"


def frame(camera_id: str = "cam-001", seq: int = 7, jpeg: bytes = TINY_JPEG) -> Frame:
    return Frame(
        camera_id=camera_id,
        seq=seq,
        captured_at=T0,
        source_kind=SourceKind.RTSP,
        width=640,
        height=360,
        reason=FrameReason.MOTION,
        jpeg=jpeg,
    )


def detections(camera_id: str = "cam-001") -> FrameDetections:
    return FrameDetections(
        camera_id=camera_id,
        seq=7,
        captured_at=T0,
        frame_width=640,
        frame_height=360,
        model=ModelRef(id="yolov8n-gridwatch", version="2025.11"),
        detections=Detections(
            xyxy=np.array([(10.0, 20.5, 110.0, 200.0), (300.0, 40.0, 640.0, 360.0)], np.float32),
            score=np.array([0.91, 0.55], np.float32),
            class_id=np.array([3, 0]),
            class_name=("motorcycle", "person"),
            kind=(ObjectKind.TWO_WHEELER, ObjectKind.PERSON),
        ),
        timings_ms=StageTimings(decode=1.5, preprocess=0.8, infer=12.25, postprocess=0.4),
        evidence_url="http://evidence.local/cam-001/7.jpg",
    )


def incident(incident_id: str = "inc-cam-001-z1-1", lifecycle: Lifecycle = Lifecycle.END) -> Incident:
    revision = 1 if lifecycle is Lifecycle.NEW else 3
    return Incident(
        incident_id=incident_id,
        lifecycle=lifecycle,
        revision=revision,
        camera_id="cam-001",
        zone_id="z1",
        micro_grid_id="mg-017",
        rule=RuleKind.EBIKE_PARKING,
        class_code=ClassCode.NON_MOTOR_PARKING,
        started_at=T0,
        observed_at=T0 + 300.0,
        ended_at=T0 + 320.0 if lifecycle is Lifecycle.END else None,
        dwell_s=480.0,
        object_count=2,
        boxes=((10.0, 20.0, 110.0, 200.0), (120.0, 20.0, 220.0, 200.0)),
        evidence_url=None,
    )


def case_event(case_id: str = "case-2025-0001") -> CaseEvent:
    return CaseEvent(
        event_id="evt-0001",
        case_id=case_id,
        incident_id="inc-cam-001-z1-1",
        kind=CaseEventKind.DISPATCHED,
        at=T0 + 60.0,
        actor="system",
        from_state="filed",
        to_state="dispatched",
        note="派遣至微网格员",
        data={"assignee_id": "p-0042", "due_at": T0 + 7200.0, "attempt": 1, "urgent": False, "extra": None},
    )


def camera_status(camera_id: str = "cam-001") -> CameraStatus:
    return CameraStatus(
        camera_id=camera_id,
        status=CameraState.DEGRADED,
        reason="reconnected 3 times in 5 min",
        at=T0,
        counters=CameraCounters(sampled=1000, published=120, skipped_by_gate=870, dropped=4, bad_frames=6),
    )


def dead_letter() -> DeadLetter:
    return DeadLetter(
        source_topic="gw.detections",
        partition=3,
        offset=1234,
        key="cam-001",
        key_is_base64=False,
        reason="value is not JSON: Expecting value at line 1 column 1",
        payload=b"\x00\x01garbage",
        payload_size=9,
        payload_truncated=False,
        at=T0,
        consumer="detector-worker",
    )


def every_message() -> list[GwMessage]:
    """One message of every type, in topic-table order."""
    return [frame(), detections(), incident(), case_event(), camera_status(), dead_letter()]
