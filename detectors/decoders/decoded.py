"""What every decoder returns: one image's boxes in model-input pixels, best score first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors.boxes import non_max_suppression


@dataclass(frozen=True, slots=True)
class DecodedBoxes:
    """Boxes in model-input pixels, best score first."""

    xyxy: NDArray[np.float32]
    class_id: NDArray[np.int64]
    score: NDArray[np.float32]

    @classmethod
    def empty(cls) -> DecodedBoxes:
        """No boxes."""
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.int64), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return int(self.xyxy.shape[0])


def best_first(score: NDArray[np.float32], threshold: float, limit: int) -> NDArray[np.intp]:
    """Indices of the scores at or above ``threshold`` (never a zero score), best first (ties in index
    order), at most ``limit`` of them."""
    keep = np.flatnonzero(score >= max(threshold, float(np.finfo(np.float32).tiny)))
    return keep[np.argsort(-score[keep], kind="stable")][:limit]


def suppressed(
    xyxy: NDArray[np.float32],
    class_id: NDArray[np.int64],
    score: NDArray[np.float32],
    *,
    iou_threshold: float,
    class_agnostic: bool,
    limit: int | None = None,
) -> DecodedBoxes:
    """Candidates (best score first) after non-maximum suppression, per class unless ``class_agnostic``
    (an ``iou_threshold`` of 1.0 keeps them all), and at most ``limit`` of them."""
    if iou_threshold < 1.0 and len(score) > 1:
        keep = non_max_suppression(xyxy, score, iou_threshold, None if class_agnostic else class_id)
        xyxy, class_id, score = xyxy[keep], class_id[keep], score[keep]
    return DecodedBoxes(xyxy=xyxy[:limit].reshape(-1, 4), class_id=class_id[:limit], score=score[:limit])
