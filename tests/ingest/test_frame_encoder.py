from __future__ import annotations

import cv2
import numpy as np
import pytest

from gridwatch.messages.frames import MAX_JPEG_BYTES
from ingest.frame_encoder import check_image, encode_jpeg, fit_longest_side
from ingest.sources.errors import BadFrameError
from tests.ingest.helpers import solid


def test_longest_side_is_scaled_down_never_up() -> None:
    assert fit_longest_side(solid(1920, 1080), 960).shape == (540, 960, 3)
    assert fit_longest_side(solid(1080, 1920), 960).shape == (960, 540, 3)
    assert fit_longest_side(solid(640, 360), 960).shape == (360, 640, 3)


def test_jpeg_round_trips() -> None:
    image = solid(320, 240, 80)
    jpeg = encode_jpeg(image, 80)
    assert jpeg.startswith(b"\xff\xd8") and jpeg.endswith(b"\xff\xd9")
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape == (240, 320, 3)


def test_a_frame_too_big_for_a_message_is_re_encoded_smaller() -> None:
    noise = np.random.default_rng(0).integers(0, 256, (1400, 1400, 3), dtype=np.uint8)
    jpeg = encode_jpeg(noise, 100)
    assert len(jpeg) <= MAX_JPEG_BYTES


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((0, 0, 3), np.uint8), "too small"),
        (np.zeros((240, 320), np.uint8), "expected height x width x 3"),
        (np.zeros((240, 320, 3), np.float32), "pixel type float32"),
        (solid(640, 640), r"aspect 1\.000\), not the shape of the configured 320x240"),
        ("not an image", "not an image array"),
    ],
)
def test_bad_frames_are_refused_with_the_reason(image: object, message: str) -> None:
    with pytest.raises(BadFrameError, match=message):
        check_image(image, expected_size=(320, 240), aspect_tolerance=0.03)


def test_same_shape_at_another_size_is_fine() -> None:
    assert check_image(solid(160, 120), expected_size=(1920, 1440), aspect_tolerance=0.03).shape == (
        120,
        160,
        3,
    )
