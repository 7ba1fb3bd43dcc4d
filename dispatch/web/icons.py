"""The phone page's app icons, drawn here as PNG (no binary files in the repository).

A green tile with a white 3x3 grid and an orange location dot: a micro-grid with something in it.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import numpy as np

ICON_SIZES = (192, 512)
"""Sizes the manifest lists (what Chrome asks for to install a PWA)."""

BACKGROUND = (11, 110, 79)
GRID = (255, 255, 255)
DOT = (245, 158, 11)


def _png(pixels: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of ``pixels`` (height x width x 3, uint8)."""
    height, width, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))

    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


@lru_cache(maxsize=4)
def icon_png(size: int) -> bytes:
    """The icon at ``size`` x ``size`` pixels (drawn within the maskable safe zone, the middle 80%)."""
    if size not in ICON_SIZES:
        raise ValueError(f"icon size {size} is not one of {ICON_SIZES}")
    image = np.empty((size, size, 3), dtype=np.uint8)
    image[:, :] = BACKGROUND
    low, high = round(size * 0.24), round(size * 0.76)
    line = max(2, size // 40)
    start, end = low - line // 2, high + (line + 1) // 2
    for i in range(4):
        at = low + (high - low) * i // 3
        image[start:end, at - line // 2 : at + (line + 1) // 2] = GRID
        image[at - line // 2 : at + (line + 1) // 2, start:end] = GRID
    ys, xs = np.mgrid[0:size, 0:size]
    centre = low + (high - low) * 3 / 6
    radius = size * 0.09
    image[(xs - centre) ** 2 + (ys - centre) ** 2 <= radius**2] = DOT
    return _png(image)
