"""One frame's detections as the rules see them: boxes in the camera's native pixels, with their kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from gridwatch.config import Camera
from gridwatch.messages.detections import Detections, ObjectKind
from streams.rules.geometry import BoxXYXY, scale_box

#: ``class_name`` of boxes that come from the model-free static-foreground signal, not from a model.
STATIC_FOREGROUND_CLASS = "static_foreground"


class Sighting(NamedTuple):
    """One detected object on one frame."""

    box: BoxXYXY
    kind: ObjectKind
    static: bool  # True: a static-foreground blob, not a model detection


@dataclass(frozen=True, slots=True)
class FrameObservation:
    """What one camera saw at one instant."""

    camera_id: str
    captured_at: float
    sightings: tuple[Sighting, ...]
    evidence_url: str | None = None


def observe(message: Detections, camera: Camera) -> FrameObservation:
    """The rules' view of a detections message: boxes scaled to the camera's native pixels."""
    sx = camera.width / message.frame_width
    sy = camera.height / message.frame_height
    sightings = tuple(
        Sighting(
            scale_box(detection.box, sx, sy),
            detection.kind,
            detection.class_name == STATIC_FOREGROUND_CLASS,
        )
        for detection in message.detections
    )
    return FrameObservation(message.camera_id, message.captured_at, sightings, message.evidence_url)
