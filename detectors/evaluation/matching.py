"""Matching one image's detections to its labels of one kind, greedily by score as COCO does.

Detections are taken best score first; each takes the label it overlaps most (IoU at least the threshold)
among the labels no better detection took. A label marked ``ignore`` (VOC ``difficult``, COCO ``iscrowd``)
is only matched when no other label is: a detection on it is neither found nor a false alarm, and missing
it costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors.boxes import box_iou

#: Outcome of a detection: it found a label.
FOUND = 1
#: Outcome of a detection: it matches no label (a false alarm).
FALSE_ALARM = 0
#: Outcome of a detection: it matches only an ignored label (counted neither way).
IGNORED = -1


@dataclass(frozen=True, slots=True)
class ImageMatch:
    """Which detections found which labels, in input order."""

    outcome: NDArray[np.int8]
    """(D,) :data:`FOUND`, :data:`FALSE_ALARM` or :data:`IGNORED` per detection."""
    label: NDArray[np.int64]
    """(D,) index of the label a detection found or landed on; -1 for a false alarm."""
    found: NDArray[np.bool_]
    """(L,) labels found by some detection."""


def match_boxes(
    labels: NDArray[np.floating],
    ignore: NDArray[np.bool_],
    detections: NDArray[np.floating],
    scores: NDArray[np.floating],
    iou_threshold: float,
) -> ImageMatch:
    """Match ``detections`` (D, 4) scored ``scores`` (D,) to ``labels`` (L, 4) at IoU >= ``iou_threshold``."""
    labels = np.asarray(labels, np.float32).reshape(-1, 4)
    detections = np.asarray(detections, np.float32).reshape(-1, 4)
    ignore = np.asarray(ignore, bool).reshape(-1)
    if ignore.shape != (len(labels),) or np.shape(scores) != (len(detections),):
        raise ValueError("one ignore flag per label and one score per detection")
    outcome = np.full(len(detections), FALSE_ALARM, np.int8)
    matched = np.full(len(detections), -1, np.int64)
    found = np.zeros(len(labels), bool)
    if not len(detections) or not len(labels):
        return ImageMatch(outcome, matched, found)
    overlaps = box_iou(detections, labels)
    for index in np.argsort(-np.asarray(scores, np.float64), kind="stable").tolist():
        row = overlaps[index]
        open_labels = (row >= iou_threshold) & ~found & ~ignore
        if open_labels.any():
            best = int(np.argmax(np.where(open_labels, row, -1.0)))
            found[best] = True
            outcome[index], matched[index] = FOUND, best
            continue
        ignored = (row >= iou_threshold) & ignore
        if ignored.any():
            outcome[index] = IGNORED
            matched[index] = int(np.argmax(np.where(ignored, row, -1.0)))
    return ImageMatch(outcome, matched, found)
