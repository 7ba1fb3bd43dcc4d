"""The CenterNet decoder on hand-made output tensors with known boxes."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.decoders.centernet import CenterNetDecoderConfig, decode_centernet

GRID, CLASSES = 16, 5


def _outputs(
    objects: list[tuple[int, int, int, float, tuple[float, float, float, float]]],
) -> tuple[np.ndarray, np.ndarray]:
    """Peaks and sizes, one peak per object: (cell x, cell y, class, score, (left, top, right, bottom))."""
    peaks = np.zeros((GRID, GRID, CLASSES), np.float32)
    sizes = np.zeros((GRID, GRID, 4), np.float32)
    for x, y, class_id, score, distances in objects:
        peaks[y, x, class_id] = score
        sizes[y, x] = distances
    return peaks, sizes


def test_boxes_classes_and_scores_are_decoded_best_first() -> None:
    peaks, sizes = _outputs([(3, 5, 2, 0.6, (4, 8, 12, 16)), (10, 1, 0, 0.9, (2, 2, 2, 2))])
    decoded = decode_centernet(peaks, sizes, CenterNetDecoderConfig(stride=4, score_threshold=0.1))
    assert decoded.class_id.tolist() == [0, 2]
    np.testing.assert_allclose(decoded.score, [0.9, 0.6])
    # centre of cell (x=10, y=1) is (40, 4); of cell (3, 5) is (12, 20)
    np.testing.assert_allclose(decoded.xyxy, [[38, 2, 42, 6], [12 - 4, 20 - 8, 12 + 12, 20 + 16]])


def test_score_threshold_and_max_detections() -> None:
    peaks, sizes = _outputs([(i, i, 1, 0.1 * i, (1, 1, 1, 1)) for i in range(1, 10)])
    decoded = decode_centernet(peaks, sizes, CenterNetDecoderConfig(score_threshold=0.45, iou_threshold=1.0))
    np.testing.assert_allclose(decoded.score, [0.9, 0.8, 0.7, 0.6, 0.5], rtol=1e-6)
    capped = decode_centernet(peaks, sizes, CenterNetDecoderConfig(score_threshold=0.0, max_detections=3))
    np.testing.assert_allclose(capped.score, [0.9, 0.8, 0.7], rtol=1e-6)


def test_overlapping_boxes_are_suppressed_within_a_class_only() -> None:
    same = (20.0, 20.0, 20.0, 20.0)
    peaks, sizes = _outputs([(8, 8, 1, 0.8, same), (9, 8, 1, 0.7, same), (8, 9, 3, 0.5, same)])
    decoded = decode_centernet(peaks, sizes, CenterNetDecoderConfig(iou_threshold=0.5))
    assert decoded.class_id.tolist() == [1, 3]
    agnostic = decode_centernet(
        peaks, sizes, CenterNetDecoderConfig(iou_threshold=0.5, class_agnostic_nms=True)
    )
    assert agnostic.class_id.tolist() == [1]


def test_nothing_above_threshold_gives_empty_arrays() -> None:
    peaks, sizes = _outputs([(1, 1, 0, 0.1, (1, 1, 1, 1))])
    decoded = decode_centernet(peaks, sizes, CenterNetDecoderConfig(score_threshold=0.2))
    assert decoded.xyxy.shape == (0, 4) and decoded.score.shape == (0,) and decoded.class_id.shape == (0,)


def test_negative_regression_never_inverts_a_box() -> None:
    peaks, sizes = _outputs([(4, 4, 0, 0.9, (-3.0, 1.0, -2.0, 1.0))])
    decoded = decode_centernet(peaks, sizes, CenterNetDecoderConfig())
    x1, _, x2, _ = decoded.xyxy[0]
    assert x2 >= x1


def test_shape_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="expected peaks"):
        decode_centernet(
            np.zeros((4, 4, 2), np.float32), np.zeros((4, 5, 4), np.float32), CenterNetDecoderConfig()
        )
