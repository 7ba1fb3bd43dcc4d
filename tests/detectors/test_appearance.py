"""Colour signatures: one object looks like itself across samples, and unlike a differently coloured one."""

from __future__ import annotations

import numpy as np

from detectors.appearance import SIGNATURE_BYTES, signatures
from gridwatch.detections import look_similarity


def _scene(bike_bgr: tuple[int, int, int], brightness: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(3)
    image = rng.integers(90, 120, (240, 320, 3)).astype(np.float32)  # grey pavement
    image[100:180, 120:200] = bike_bgr
    image[100:180, 120:200] += rng.normal(0, 6, (80, 80, 3))
    return np.asarray(np.clip(image * brightness, 0, 255), np.uint8)


BOX = np.array([[110, 90, 210, 190]], np.float32)  # the bike with some pavement around it


def test_the_same_object_in_other_light_looks_alike_and_another_colour_does_not() -> None:
    red = signatures(_scene((30, 30, 200)), BOX)[0]
    red_evening = signatures(_scene((30, 30, 200), brightness=0.75), BOX)[0]
    blue = signatures(_scene((200, 60, 30)), BOX)[0]
    assert red.shape == (SIGNATURE_BYTES,) and red.dtype == np.uint8
    alike, unlike = look_similarity(red, red_evening), look_similarity(red, blue)
    assert alike is not None and unlike is not None
    assert alike > 0.7 > 0.3 > unlike


def test_a_box_with_no_pixels_left_has_an_unknown_signature() -> None:
    sliver = np.array([[5, 5, 5, 9], [400, 300, 450, 350]], np.float32)  # no width; outside the frame
    found = signatures(_scene((30, 30, 200)), sliver)
    assert not found.any()
    assert look_similarity(found[0], found[1]) is None
    assert look_similarity(b"", b"") is None
