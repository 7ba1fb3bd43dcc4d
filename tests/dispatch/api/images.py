"""Small real images for upload tests."""

from __future__ import annotations

import cv2
import numpy as np


def encoded(extension: str, width: int = 64, height: int = 48) -> bytes:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[:, : width // 2] = (0, 128, 255)
    ok, data = cv2.imencode(extension, image)
    assert ok
    return bytes(data.tobytes())


def jpeg() -> bytes:
    return encoded(".jpg")


def png() -> bytes:
    return encoded(".png")
