"""Decoding still images (snapshots, folder images) into BGR arrays, refusing broken ones with a reason."""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np

from ingest.sources.base import Image
from ingest.sources.errors import BadFrameError

_JPEG_SOI = b"\xff\xd8"
_JPEG_EOI = b"\xff\xd9"
#: Bytes after the EOI marker a camera may pad a JPEG with.
_EOI_SLACK = 64


def decode_image(data: bytes, *, what: str) -> Image:
    """The BGR image in ``data`` (JPEG, PNG, anything OpenCV reads); BadFrameError naming the problem."""
    if not data:
        raise BadFrameError(f"{what} is empty (0 bytes)")
    if data.startswith(_JPEG_SOI) and _JPEG_EOI not in data[-_EOI_SLACK:]:
        raise BadFrameError(f"{what} is a truncated JPEG ({len(data)} bytes, no end-of-image marker)")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise BadFrameError(f"{what} is not a decodable image ({len(data)} bytes starting {data[:4].hex()})")
    if image.ndim != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        raise BadFrameError(f"{what} decoded to an image with no pixels ({image.shape})")
    return cast(Image, image)
