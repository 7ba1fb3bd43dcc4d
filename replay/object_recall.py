"""Per-sample detector recall on labelled objects: of the sampled frames in which a labelled object stands
(its label's interval), in how many did the detector find it?

Only labels that say where their object is (a box or a point) count. A frame finds the object when one of
its detections of the kinds the label's rule watches, at the run's confidence, covers the labelled box by
:data:`replay.scoring.MIN_BOX_OVERLAP` of the smaller box (or contains the labelled point), in the camera's
native pixels. This is the figure beside incident recall that tells a detector miss from a rule miss.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.config import SiteConfig
from gridwatch.detections import ObjectKind
from replay.runner import PreparedFootage, camera_of
from replay.scoring import MIN_BOX_OVERLAP, Truth, box_overlap, contains
from streams.rules.geometry import BoxXYXY


@dataclass(frozen=True, slots=True)
class ObjectRecall:
    """How often the detector found one labelled object while it stood there."""

    truth: Truth
    samples: int
    detected: int

    @property
    def recall(self) -> float | None:
        """detected / samples; None when no sample fell in the label's interval."""
        return None if self.samples == 0 else self.detected / self.samples


def _kinds(site: SiteConfig, truth: Truth) -> frozenset[ObjectKind]:
    zone = camera_of(site, truth.camera).zone(truth.zone)
    rule = zone.rule(truth.rule)
    return frozenset(rule.kinds) if rule is not None else frozenset()


def _found(boxes: list[BoxXYXY], truth: Truth) -> bool:
    for box in boxes:
        if truth.box is not None and box_overlap(box, truth.box) >= MIN_BOX_OVERLAP:
            return True
        if truth.box is None and truth.point is not None and contains(box, truth.point):
            return True
    return False


def object_recall(
    site: SiteConfig, prepared: list[PreparedFootage], truths: list[Truth], conf: float
) -> list[ObjectRecall]:
    """Per-sample recall of every placed label (box or point) of the replayed cameras."""
    by_camera = {p.camera.id: p for p in prepared}
    out = []
    for truth in truths:
        footage = by_camera.get(truth.camera)
        if footage is None or (truth.box is None and truth.point is None):
            continue
        kinds = _kinds(site, truth)
        camera = footage.camera
        samples = detected = 0
        for frame in footage.cached.frames:
            at = footage.start + frame.offset_s
            if not truth.start <= at < truth.end:
                continue
            samples += 1
            sx, sy = camera.width / frame.width, camera.height / frame.height
            found = frame.detections.with_min_score(conf).scaled(sx, sy)
            boxes: list[BoxXYXY] = [
                (b[0], b[1], b[2], b[3])
                for b, kind in zip(found.boxes(), found.kind, strict=True)
                if kind in kinds
            ]
            detected += _found(boxes, truth)
        out.append(ObjectRecall(truth, samples, detected))
    return out
