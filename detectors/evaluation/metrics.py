"""Counting matches into recall, precision, AP and PR curves per kind, IoU threshold and size bucket.

A :class:`Tally` collects, for one kind at one IoU threshold, every detection's score, outcome and size
bucket and every bucket's label count, image by image (:meth:`Tally.add_image`); :func:`summarise` turns
it into a :class:`~detectors.evaluation.results.KindResult`. Matching is done once over all sizes: a
detection that found a label counts in that label's bucket, a false alarm in the bucket of its own height,
so the buckets add up to ``all``. PR curves and AP come from scikit-learn on the matched scores, with recall
rescaled to every label (labels no detection found are not in scikit-learn's list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from detectors.evaluation.matching import FALSE_ALARM, FOUND, IGNORED, match_boxes
from detectors.evaluation.results import (
    SIZE_BUCKETS,
    BucketCounts,
    KindResult,
    OperatingPoint,
    PrCurve,
    SizeBuckets,
)
from gridwatch.detections import ObjectKind

#: Score thresholds of the operating-point table (those below the evaluation's minimum are left out).
SWEEP: tuple[float, ...] = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7)

#: Most points a stored PR curve keeps (evenly spread over its length, ends kept).
CURVE_POINTS = 200


@dataclass(slots=True)
class Tally:
    """Detections and labels of one kind at one IoU threshold, collected over images."""

    kind: ObjectKind
    iou_threshold: float
    buckets: SizeBuckets
    scores: list[NDArray[np.float32]] = field(default_factory=list)
    outcomes: list[NDArray[np.int8]] = field(default_factory=list)
    detection_buckets: list[NDArray[np.int64]] = field(default_factory=list)
    labelled: NDArray[np.int64] = field(default_factory=lambda: np.zeros(len(SIZE_BUCKETS), np.int64))
    ignored: int = 0

    def add_image(
        self,
        labels: NDArray[np.floating],
        ignore: NDArray[np.bool_],
        detections: NDArray[np.floating],
        scores: NDArray[np.floating],
    ) -> None:
        """One image's labels (L, 4) of this kind with their ignore flags, and detections (D, 4) of this
        kind with their scores."""
        match = match_boxes(labels, ignore, detections, scores, self.iou_threshold)
        label_buckets = self.buckets.index(labels)
        own_buckets = self.buckets.index(detections)
        found = match.outcome == FOUND
        bucket = np.where(found, label_buckets[np.maximum(match.label, 0)] if len(labels) else 0, own_buckets)
        self.scores.append(np.asarray(scores, np.float32).reshape(-1))
        self.outcomes.append(match.outcome)
        self.detection_buckets.append(np.asarray(bucket, np.int64).reshape(-1))
        ignore = np.asarray(ignore, bool).reshape(-1)
        self.labelled += np.bincount(label_buckets[~ignore], minlength=len(SIZE_BUCKETS))
        self.ignored += int(ignore.sum())

    def arrays(self) -> tuple[NDArray[np.float32], NDArray[np.int8], NDArray[np.int64]]:
        """Every detection's score, outcome and bucket, ignored ones left out."""
        if not self.scores:
            return np.zeros(0, np.float32), np.zeros(0, np.int8), np.zeros(0, np.int64)
        scores = np.concatenate(self.scores)
        outcomes = np.concatenate(self.outcomes)
        buckets = np.concatenate(self.detection_buckets)
        counted = outcomes != IGNORED
        return scores[counted], outcomes[counted], buckets[counted]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def average_precision(scores: NDArray[np.float32], found: NDArray[np.bool_], labelled: int) -> float | None:
    """AP of detections (``found`` per detection) over ``labelled`` labels: sum over the ranked list of
    (recall step x precision), scikit-learn's definition, recall counted over every label."""
    if not labelled:
        return None
    hits = int(found.sum())
    if not hits:
        return 0.0
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(found, scores)) * hits / labelled


def pr_curve(scores: NDArray[np.float32], found: NDArray[np.bool_], labelled: int) -> PrCurve:
    """Precision against recall (over every label) at each distinct score threshold, best score first."""
    hits = int(found.sum())
    if not labelled or not len(scores) or not hits:
        return PrCurve(recall=[], precision=[], score=[])
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(found, scores)
    # scikit-learn lists thresholds rising and ends with (precision 1, recall 0), which has no threshold
    precision, recall = precision[:-1][::-1], recall[:-1][::-1] * hits / labelled
    thresholds = thresholds[::-1]
    if len(thresholds) > CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(thresholds) - 1, CURVE_POINTS).round().astype(np.int64))
        precision, recall, thresholds = precision[keep], recall[keep], thresholds[keep]
    return PrCurve(
        recall=[round(float(v), 5) for v in recall],
        precision=[round(float(v), 5) for v in precision],
        score=[round(float(v), 5) for v in thresholds],
    )


def summarise(tally: Tally, operating_threshold: float, sweep: Sequence[float]) -> KindResult:
    """The kind's counts at ``operating_threshold`` per bucket, AP, operating points at ``sweep`` and the
    PR curve."""
    scores, outcomes, buckets = tally.arrays()
    found = outcomes == FOUND
    kept = scores >= operating_threshold
    counts = []
    for index, name in enumerate(("all", *SIZE_BUCKETS)):
        in_bucket = np.ones(len(scores), bool) if name == "all" else buckets == index - 1
        labelled = int(tally.labelled.sum()) if name == "all" else int(tally.labelled[index - 1])
        hits = int((found & kept & in_bucket).sum())
        detections = int((kept & in_bucket).sum())
        alarms = int((kept & in_bucket & (outcomes == FALSE_ALARM)).sum())
        counts.append(
            BucketCounts(
                bucket=name,
                labelled=labelled,
                found=hits,
                detections=detections,
                false_alarms=alarms,
                recall=_ratio(hits, labelled),
                precision=_ratio(detections - alarms, detections),
                average_precision=average_precision(scores[in_bucket], found[in_bucket], labelled),
            )
        )
    total = int(tally.labelled.sum())
    points = []
    for threshold in sorted(set(sweep) | {operating_threshold}):
        above = scores >= threshold
        hits = int((found & above).sum())
        points.append(
            OperatingPoint(
                score_threshold=threshold,
                found=hits,
                false_alarms=int(above.sum()) - hits,
                recall=_ratio(hits, total),
                precision=_ratio(hits, int(above.sum())),
            )
        )
    return KindResult(
        kind=tally.kind,
        iou_threshold=tally.iou_threshold,
        buckets=counts,
        operating_points=points,
        curve=pr_curve(scores, found, total),
    )
