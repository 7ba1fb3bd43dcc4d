"""Box arithmetic on (N, 4) xyxy arrays: intersection, IoU and class-aware non-maximum suppression."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def box_intersection(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float32]:
    """Pairwise area shared by boxes ``a`` (N, 4) and ``b`` (M, 4): an (N, M) array."""
    a = np.asarray(a, np.float32).reshape(-1, 4)
    b = np.asarray(b, np.float32).reshape(-1, 4)
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    overlap = np.clip(bottom_right - top_left, 0.0, None)
    intersection: NDArray[np.float32] = (overlap[..., 0] * overlap[..., 1]).astype(np.float32)
    return intersection


def box_overlap_of_smaller(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float32]:
    """Pairwise intersection over the smaller box's area of boxes ``a`` (N, 4) and ``b`` (M, 4): 1 where one
    lies inside the other."""
    a = np.asarray(a, np.float32).reshape(-1, 4)
    b = np.asarray(b, np.float32).reshape(-1, 4)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    smaller = np.maximum(np.minimum(area_a[:, None], area_b[None, :]), 1e-6)
    overlap: NDArray[np.float32] = (box_intersection(a, b) / smaller).astype(np.float32)
    return overlap


def box_iou(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float32]:
    """Pairwise IoU of boxes ``a`` (N, 4) and ``b`` (M, 4): an (N, M) array."""
    a = np.asarray(a, np.float32).reshape(-1, 4)
    b = np.asarray(b, np.float32).reshape(-1, 4)
    intersection = box_intersection(a, b)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - intersection
    return np.where(union > 0, intersection / np.maximum(union, 1e-9), 0.0).astype(np.float32)


def non_max_suppression(
    xyxy: NDArray[np.floating],
    score: NDArray[np.floating],
    iou_threshold: float,
    class_id: NDArray[np.integer] | None = None,
) -> NDArray[np.int64]:
    """Indices of the boxes kept, best score first; boxes of different classes never suppress each other."""
    boxes = np.asarray(xyxy, np.float32).reshape(-1, 4)
    if boxes.shape[0] == 0:
        return np.zeros(0, np.int64)
    if class_id is not None:  # shift each class into its own region so that classes never overlap
        span = float(boxes.max() - min(boxes.min(), 0.0)) + 1.0
        boxes = boxes + (np.asarray(class_id, np.float32) * span)[:, None]
    order = np.argsort(-np.asarray(score, np.float32), kind="stable")
    # One IoU matrix in score order, then the greedy pass over it: a box survives unless a kept box ranked
    # above it overlaps it by more than the threshold (the same rule as box-by-box NMS, without a numpy
    # round trip per kept box).
    overlaps = box_iou(boxes[order], boxes[order]) > iou_threshold
    suppressed = np.zeros(order.size, bool)
    keep: list[int] = []
    for rank in range(order.size):
        if suppressed[rank]:
            continue
        keep.append(int(order[rank]))
        suppressed |= overlaps[rank]
    return np.asarray(keep, np.int64)
