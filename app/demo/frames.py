"""Images for demo footage: photos and video frames fitted into a camera's resolution, with sensor noise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import cv2
import numpy as np

from ingest.sources.base import Image

#: The shared two-wheeler photos were stretched to 720x1280 (portrait) from landscape originals; drawn back
#: to 3:2 the bikes look like bikes again, and the default model finds them (it misses most when squeezed).
PHOTO_ASPECT = 3 / 2


class FootageReadError(ValueError):
    """A footage file could not be read as an image or a video."""


def letterbox(image: Image, width: int, height: int) -> Image:
    """``image`` scaled to fit ``width`` x ``height`` without distortion, centred on black bars."""
    if width < 1 or height < 1:
        raise ValueError(f"target size must be positive, got {width}x{height}")
    src_h, src_w = image.shape[:2]
    scale = min(width / src_w, height / src_h)
    new_w, new_h = max(1, round(src_w * scale)), max(1, round(src_h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    out = np.zeros((height, width, 3), np.uint8)
    x, y = (width - new_w) // 2, (height - new_h) // 2
    out[y : y + new_h, x : x + new_w] = resized
    return out


def restore_aspect(image: Image, aspect: float) -> Image:
    """``image`` resized to width/height ``aspect``, keeping its height (undoes a horizontal squeeze)."""
    if aspect <= 0:
        raise ValueError(f"aspect must be positive, got {aspect}")
    height = image.shape[0]
    width = max(1, round(height * aspect))
    return cast(Image, cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR))


def read_photo(path: Path) -> Image:
    """A colour photo as BGR; FootageReadError when it is missing or not an image."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise FootageReadError(f"{path} is not a readable image")
    return np.ascontiguousarray(image, dtype=np.uint8)


def add_sensor_noise(image: Image, rng: np.random.Generator, levels: int) -> Image:
    """``image`` with uniform per-pixel noise of up to ``levels`` grey levels (a live sensor's shimmer)."""
    if levels <= 0:
        return image
    noise = rng.integers(-levels, levels + 1, size=image.shape, dtype=np.int16)
    noisy: Image = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    return noisy


def video_frames(path: Path, fps: float, max_seconds: float) -> Iterator[Image]:
    """Frames of a video resampled to ``fps`` (nearest earlier frame), for at most ``max_seconds``.

    Raises FootageReadError when the file does not open or yields no frame.
    """
    if fps <= 0 or max_seconds <= 0:
        raise ValueError(f"fps and max_seconds must be positive, got {fps} and {max_seconds}")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise FootageReadError(f"{path} does not open as a video")
    try:
        source_fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
        wanted = 0.0
        index = 0
        delivered = 0
        while wanted < max_seconds:
            ok, frame = capture.read()
            if not ok:
                break
            at = index / source_fps
            index += 1
            if at + 1e-9 < wanted:
                continue
            delivered += 1
            wanted = delivered / fps
            yield np.ascontiguousarray(frame, dtype=np.uint8)
        if delivered == 0:
            raise FootageReadError(f"{path} has no decodable frame")
    finally:
        capture.release()
