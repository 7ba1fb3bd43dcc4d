"""The person boxes the detector finds on a camera's footage, in the camera's native pixels: what the
perspective is fit on. The footage runs through replay's own detector path (sampling, ingest's frame size
and JPEG, the detector worker's pipeline) and its detection cache."""

from __future__ import annotations

from pathlib import Path

from gridwatch.config import Camera
from gridwatch.detections import ObjectKind
from replay.cache import DetectionCache
from replay.detect import Detector
from replay.footage import FootageItem

BoxXYXY = tuple[float, float, float, float]
#: Samples per second taken from the footage to find people (more looks, more boxes).
PERSON_FPS = 2.0
#: Persons scoring below this are not used for the perspective.
MIN_SCORE = 0.35


def person_boxes(
    detector: Detector,
    footage: Path,
    camera: Camera,
    cache: DetectionCache | None,
    *,
    fps: float = PERSON_FPS,
    min_score: float = MIN_SCORE,
) -> list[BoxXYXY]:
    """Confident person boxes on ``footage`` (sampled at ``fps``), scaled to ``camera``'s native pixels."""
    looking = camera.model_copy(update={"sample_fps": fps, "zones": ()})  # no zone: no static foreground
    cached, _hit = detector.detections(FootageItem(path=footage, camera=camera.id), looking, cache)
    boxes: list[BoxXYXY] = []
    for frame in cached.frames:
        sx, sy = camera.width / frame.width, camera.height / frame.height
        people = frame.detections.of_kinds(ObjectKind.PERSON).with_min_score(min_score).scaled(sx, sy)
        boxes.extend((b[0], b[1], b[2], b[3]) for b in people.boxes())
    return boxes
