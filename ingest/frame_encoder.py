"""From a sampled image to the detector's input: checked, scaled to the longest side, JPEG-encoded."""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np

from gridwatch.messages.frames import JPEG_EOI, JPEG_SOI, MAX_IMAGE_SIDE, MAX_JPEG_BYTES
from ingest.sources.base import Image
from ingest.sources.errors import BadFrameError

#: Lowest quality tried when a frame does not fit MAX_JPEG_BYTES.
_MIN_QUALITY = 30
_QUALITY_STEP = 15


def check_image(image: object, *, expected_size: tuple[int, int] | None, aspect_tolerance: float) -> Image:
    """``image`` when it is a usable BGR frame; BadFrameError naming what is wrong otherwise.

    ``expected_size`` is the camera's configured native (width, height); a frame of another aspect ratio would
    misplace every zone, so it is refused (a different size of the same shape, such as a sub-stream, is fine).
    """
    if not isinstance(image, np.ndarray):
        raise BadFrameError(f"frame is a {type(image).__name__}, not an image array")
    if image.dtype != np.uint8:
        raise BadFrameError(f"frame has pixel type {image.dtype}, expected uint8")
    if image.ndim != 3 or image.shape[2] != 3:
        raise BadFrameError(f"frame has shape {image.shape}, expected height x width x 3 (BGR)")
    height, width = int(image.shape[0]), int(image.shape[1])
    if height < 2 or width < 2:
        raise BadFrameError(f"frame is {width}x{height} pixels, too small to be an image")
    if expected_size is not None:
        exp_w, exp_h = expected_size
        expected_aspect = exp_w / exp_h
        aspect = width / height
        if abs(aspect - expected_aspect) / expected_aspect > aspect_tolerance:
            raise BadFrameError(
                f"frame is {width}x{height} (aspect {aspect:.3f}), not the shape of the configured "
                f"{exp_w}x{exp_h} (aspect {expected_aspect:.3f})"
            )
    checked: Image = image
    return checked


def fit_longest_side(image: Image, max_side: int) -> Image:
    """``image`` scaled down (never up) so that its longest side is at most ``max_side``."""
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return image
    scale = max_side / longest
    size = (max(2, round(width * scale)), max(2, round(height * scale)))
    return cast(Image, cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def encode_jpeg(image: Image, quality: int) -> bytes:
    """Baseline JPEG of ``image`` that fits a frame message, lowering the quality if it must."""
    height, width = image.shape[:2]
    if max(height, width) > MAX_IMAGE_SIDE:
        raise BadFrameError(f"frame is {width}x{height}, larger than {MAX_IMAGE_SIDE} pixels on a side")
    current = quality
    while True:
        ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, current])
        if not ok:
            raise BadFrameError(f"JPEG encoding of a {width}x{height} frame failed")
        data = buffer.tobytes()
        if len(data) <= MAX_JPEG_BYTES:
            if not (data.startswith(JPEG_SOI) and data.endswith(JPEG_EOI)):  # pragma: no cover - OpenCV bug
                raise BadFrameError("JPEG encoder produced no complete image")
            return data
        if current <= _MIN_QUALITY:
            raise BadFrameError(f"frame does not fit {MAX_JPEG_BYTES} bytes even at JPEG quality {current}")
        current = max(_MIN_QUALITY, current - _QUALITY_STEP)
