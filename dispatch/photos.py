"""Photos workers upload as proof of handling: checked to be a real JPEG or PNG, then stored on disk.

A photo is accepted only if its first bytes are a JPEG or PNG signature, it decodes as an image, and it is
no larger than the configured maximum. The file goes under ``<photo dir>/<case id>/<photo id>.<ext>``; the
database keeps the relative path, the SHA-256 and the size.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PhotoRejectedError(ValueError):
    """The upload is not an acceptable photo; the message says why; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed the checks."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str


def check_photo(data: bytes, max_bytes: int) -> CheckedPhoto:
    """Check an upload; :class:`PhotoRejectedError` (413 too large, 415 not JPEG/PNG, 422 undecodable)."""
    if len(data) > max_bytes:
        raise PhotoRejectedError(f"photo is {len(data)} bytes; at most {max_bytes} are accepted", 413)
    if not data:
        raise PhotoRejectedError("photo is empty", 422)
    if data.startswith(JPEG_MAGIC):
        content_type, extension = "image/jpeg", "jpg"
    elif data.startswith(PNG_MAGIC):
        content_type, extension = "image/png", "png"
    else:
        raise PhotoRejectedError("photo is neither a JPEG nor a PNG (by its first bytes)", 415)
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise PhotoRejectedError(
            f"photo looks like {extension.upper()} but does not decode (corrupt or cut off)", 422
        )
    height, width = int(image.shape[0]), int(image.shape[1])
    return CheckedPhoto(data, content_type, extension, width, height, hashlib.sha256(data).hexdigest())


class PhotoStore:
    """Where photo files live."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, case_id: str, photo_id: str, photo: CheckedPhoto) -> str:
        """Write the file; returns its path relative to the root."""
        relative = f"{case_id}/{photo_id}.{photo.extension}"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".part")
        temporary.write_bytes(photo.data)
        temporary.replace(target)
        return relative

    def path_of(self, relative: str) -> Path:
        """The absolute path of a stored photo (refusing paths that leave the root)."""
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise ValueError(f"photo path {relative!r} leaves the photo directory")
        return target
