"""Matching and metrics on synthetic boxes; every expected figure is worked out by hand in the comments."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from detectors.evaluation.labels import LabelFormat, LabelledImage, LabelledSet
from detectors.evaluation.matching import FALSE_ALARM, FOUND, IGNORED, match_boxes
from detectors.evaluation.results import KindResult, SizeBuckets
from detectors.evaluation.runner import EvaluationSettings, evaluate_detector
from gridwatch.detections import Detections, ObjectKind

TWO = ObjectKind.TWO_WHEELER


def test_greedy_by_score_the_better_scored_detection_takes_the_label_first() -> None:
    label = np.array([[0, 0, 10, 10]], np.float32)
    # the 0.9 detection overlaps the label by IoU 50/100 = 0.5, the 0.6 one exactly (IoU 1.0): COCO's greedy
    # pass gives the label to the better score, and the exact box becomes a false alarm
    detections = np.array([[0, 0, 10, 10], [0, 0, 10, 5]], np.float32)
    match = match_boxes(label, np.zeros(1, bool), detections, np.array([0.6, 0.9]), 0.5)
    assert match.outcome.tolist() == [FALSE_ALARM, FOUND] and match.label.tolist() == [-1, 0]
    assert match.found.tolist() == [True]


def test_a_detection_takes_the_open_label_it_overlaps_most_and_ignored_labels_count_neither_way() -> None:
    labels = np.array([[0, 0, 10, 10], [4, 0, 14, 10], [50, 50, 60, 60]], np.float32)
    ignore = np.array([False, False, True])
    # detection 0 (0.9) overlaps label 0 by IoU 70/130 and label 1 by 90/110: it takes label 1; detection 1
    # (0.8) lies exactly on label 1, which is taken, so it takes label 0 (IoU 60/140 = 0.43); detection 2
    # lies on the ignored label; detection 3 on nothing
    detections = np.array([[3, 0, 13, 10], [4, 0, 14, 10], [50, 50, 60, 60], [80, 80, 90, 90]], np.float32)
    match = match_boxes(labels, ignore, detections, np.array([0.9, 0.8, 0.7, 0.6]), 0.3)
    assert match.outcome.tolist() == [FOUND, FOUND, IGNORED, FALSE_ALARM]
    assert match.label.tolist() == [1, 0, 2, -1]
    assert match.found.tolist() == [True, True, False]


def test_size_buckets_go_by_box_height() -> None:
    buckets = SizeBuckets(small_below=48, large_above=128)
    boxes = np.array([[0, 0, 500, 47.9], [0, 0, 5, 48], [0, 0, 5, 128], [0, 0, 5, 128.5]], np.float32)
    assert buckets.index(boxes).tolist() == [0, 1, 1, 2]  # width does not matter


# One 1000 x 1000 image of two-wheelers. Labels:
#   L0 small  (100, 100, 120, 130) height 30
#   L1 medium (200, 200, 260, 300) height 100
#   L2 large  (400, 400, 600, 700) height 300
#   L3 large  (700, 100, 800, 400) height 300, difficult (ignored)
LABELS = np.array([[100, 100, 120, 130], [200, 200, 260, 300], [400, 400, 600, 700], [700, 100, 800, 400]])
IGNORE = np.array([False, False, False, True])
# Detections (score):
#   D0 0.9 exactly L2
#   D1 0.8 (200, 240, 260, 340): with L1 overlap 60x60 = 3600, union 6000 + 6000 - 3600 = 8400, IoU 0.43
#   D2 0.7 (400, 410, 600, 710): L2 again (IoU 0.94), L2 already taken by D0: a duplicate, false alarm
#   D3 0.6 exactly L3: on an ignored label, counted neither way
#   D4 0.3 (900, 900, 920, 920): nothing there, a small false alarm (height 20)
#   D5 0.1 exactly L0: below the operating threshold (0.2), above the minimum score (0.05)
#   D6 0.03 exactly L0: below the minimum score, dropped before matching
DETECTIONS = np.array(
    [
        [400, 400, 600, 700],
        [200, 240, 260, 340],
        [400, 410, 600, 710],
        [700, 100, 800, 400],
        [900, 900, 920, 920],
        [100, 100, 120, 130],
        [100, 100, 120, 130],
    ]
)
SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.1, 0.03])


def _results(tmp_path: Path) -> dict[float, KindResult]:
    path = tmp_path / "street.png"
    assert cv2.imwrite(str(path), np.zeros((1000, 1000, 3), np.uint8))
    labels = ("bicycle", "scooter", "motorcycle", "bicycle")
    item = LabelledImage(path, 1000, 1000, LABELS.astype(np.float32), labels, IGNORE, (TWO,) * 4)
    dataset = LabelledSet((item,), LabelFormat.VOC, tmp_path, ("bicycle",), (TWO,))
    names = ("bicycle",) * len(SCORES)

    def detect(images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        assert [image.shape for image in images] == [(1000, 1000, 3)]
        return [Detections(DETECTIONS, SCORES, np.zeros(len(SCORES), np.int64), names, (TWO,) * len(SCORES))]

    found = evaluate_detector(detect, dataset, 0.2, EvaluationSettings(min_score=0.05))
    return {result.iou_threshold: result for result in found}


def test_recall_and_precision_per_size_bucket_at_iou_0_3_and_0_5(tmp_path: Path) -> None:
    results = _results(tmp_path)
    at_03, at_05 = results[0.3], results[0.5]

    def row(result: KindResult, bucket: str) -> tuple[object, ...]:
        b = result.bucket(bucket)  # type: ignore[arg-type]
        return b.labelled, b.found, b.detections, b.false_alarms, b.recall, b.precision

    # IoU 0.3, scores >= 0.2: D0 finds L2, D1 finds L1; D2 and D4 are false alarms; D3 is ignored
    assert row(at_03, "all") == (3, 2, 4, 2, pytest.approx(2 / 3), 0.5)
    assert row(at_03, "small") == (1, 0, 1, 1, 0.0, 0.0)  # L0 only found at 0.1; D4 is small
    assert row(at_03, "medium") == (1, 1, 1, 0, 1.0, 1.0)
    assert row(at_03, "large") == (1, 1, 2, 1, 1.0, 0.5)  # the duplicate D2 counts against large
    # IoU 0.5: D1 (IoU 0.43) no longer finds L1 and becomes a medium false alarm (its own height is 100)
    assert row(at_05, "all") == (3, 1, 4, 3, pytest.approx(1 / 3), 0.25)
    assert row(at_05, "medium") == (1, 0, 1, 1, 0.0, 0.0)
    assert row(at_05, "large") == (1, 1, 2, 1, 1.0, 0.5)


def test_average_precision_and_operating_points(tmp_path: Path) -> None:
    results = _results(tmp_path)
    # IoU 0.3, ranked: D0 hit (P 1, R 1/3), D1 hit (P 1, R 2/3), D2 miss, D4 miss, D5 hit (P 3/5, R 1):
    # AP = 1/3 * 1 + 1/3 * 1 + 1/3 * 3/5 = 0.8667
    assert results[0.3].bucket("all").average_precision == pytest.approx((1 + 1 + 0.6) / 3)
    # IoU 0.5: D0 hit (P 1, R 1/3), D1 D2 D4 misses, D5 hit (P 2/5, R 2/3): AP = 1/3 + 1/3 * 2/5 = 0.4667
    assert results[0.5].bucket("all").average_precision == pytest.approx(1 / 3 + 2 / 15)
    # small bucket at IoU 0.3: D4 (0.3) miss, then D5 (0.1) hit: P 1/2 at R 1: AP 0.5
    assert results[0.3].bucket("small").average_precision == pytest.approx(0.5)
    points = {p.score_threshold: (p.found, p.false_alarms) for p in results[0.3].operating_points}
    assert points[0.05] == (3, 2) and points[0.1] == (3, 2) and points[0.2] == (2, 2)
    assert points[0.3] == (2, 2) and points[0.4] == (2, 1) and points[0.7] == (2, 1)
    curve = results[0.3].curve
    assert curve.recall[-1] == pytest.approx(1.0) and curve.precision[-1] == pytest.approx(0.6)
    assert curve.score == sorted(curve.score, reverse=True) and curve.score[-1] == pytest.approx(0.1)
