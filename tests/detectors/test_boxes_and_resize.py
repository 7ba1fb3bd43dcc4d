"""Box arithmetic and fitting images into the model input."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.boxes import box_iou, non_max_suppression
from detectors.input_resize import ResizeMode, fit_rgb


def test_box_iou_known_values() -> None:
    a = np.array([[0, 0, 10, 10]], np.float32)
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 0, 0]], np.float32)
    np.testing.assert_allclose(box_iou(a, b)[0], [1.0, 50 / 150, 0.0, 0.0], rtol=1e-6)


def test_nms_keeps_best_and_respects_classes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [0, 0, 10, 10], [50, 50, 60, 60]], np.float32)
    scores = np.array([0.6, 0.9, 0.5, 0.3], np.float32)
    assert non_max_suppression(boxes, scores, 0.5).tolist() == [1, 3]
    classes = np.array([0, 0, 1, 0])
    assert non_max_suppression(boxes, scores, 0.5, classes).tolist() == [1, 2, 3]
    assert non_max_suppression(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []


@pytest.mark.parametrize("mode", list(ResizeMode))
def test_fit_maps_boxes_back_to_image_pixels(mode: ResizeMode) -> None:
    image = np.zeros((300, 600, 3), np.uint8)
    image[100:200, 300:400] = (255, 0, 0)  # a blue square in BGR
    out = np.full((128, 128, 3), -1.0, np.float32)
    placement = fit_rgb(image, mode, out)
    assert out.min() >= 0.0  # the padding is overwritten with black
    ys, xs = np.nonzero(out[:, :, 2] > 127)  # blue is the last channel in RGB
    assert out[:, :, 0].max() == 0.0  # and nothing leaked into red
    box_in_input = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], np.float32)
    np.testing.assert_allclose(placement.to_image(box_in_input)[0], [300, 100, 400, 200], atol=6)
    if mode is ResizeMode.LETTERBOX:
        assert placement.pad_y == 32 and placement.pad_x == 0
        assert placement.scale_x == placement.scale_y


def test_to_image_clips_to_the_image() -> None:
    placement = fit_rgb(
        np.zeros((100, 200, 3), np.uint8), ResizeMode.LETTERBOX, np.zeros((64, 64, 3), np.float32)
    )
    clipped = placement.to_image(np.array([[-10, -10, 100, 100]], np.float32))[0]
    assert clipped.tolist() == [0.0, 0.0, 200.0, 100.0]


def test_fit_rejects_grey_images() -> None:
    with pytest.raises(ValueError, match="HxWx3"):
        fit_rgb(np.zeros((10, 10), np.uint8), ResizeMode.STRETCH, np.zeros((8, 8, 3), np.float32))


def _reference_nms(boxes: np.ndarray, scores: np.ndarray, threshold: float) -> list[int]:
    """Textbook greedy NMS, one kept box at a time (single class)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep: list[int] = []
    while order:
        best, *rest = order
        keep.append(best)
        order = [j for j in rest if box_iou(boxes[best : best + 1], boxes[j : j + 1])[0, 0] <= threshold]
    return keep


@pytest.mark.parametrize("seed", range(40))
def test_nms_matches_textbook_greedy_suppression(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 50))
    corner = rng.uniform(0, 200, (count, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(2, 80, (count, 2))], axis=1).astype(np.float32)
    scores = rng.uniform(0, 1, count).astype(np.float32)  # distinct: the order is unambiguous
    threshold = float(rng.choice([0.3, 0.5, 0.7]))
    assert non_max_suppression(boxes, scores, threshold).tolist() == _reference_nms(boxes, scores, threshold)
