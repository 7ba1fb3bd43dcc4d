"""Label text on evidence images: CJK-capable font from the local disk, or ASCII through OpenCV.

OpenCV's ``putText`` only draws ASCII (Hershey fonts). Chinese zone names and kinds are drawn with Pillow
from a font already on this machine: an explicit path, ``$GW_LABEL_FONT``, then known locations of the
Debian packages ``fonts-wqy-microhei`` / ``fonts-wqy-zenhei`` / ``fonts-noto-cjk`` and their equivalents.
Nothing is ever downloaded; without such a font labels fall back to ASCII and one log line says so.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

LABEL_FONT_ENV = "GW_LABEL_FONT"

KNOWN_CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
)
"""Where CJK fonts live when a system package installed them (first found wins)."""

BGR = tuple[int, int, int]


class LabelPainter(Protocol):
    """Draws a label (text on a filled box) onto a BGR image in place."""

    @property
    def supports_cjk(self) -> bool:
        """True when Chinese text is drawn as such."""
        ...

    def draw(self, image: NDArray[np.uint8], text: str, origin: tuple[int, int], colour: BGR) -> None:
        """Draw ``text`` with its box's bottom-left corner at ``origin`` (moved inside the image)."""
        ...


def find_cjk_font(explicit: Path | None = None, candidates: Sequence[Path] = KNOWN_CJK_FONTS) -> Path | None:
    """The first existing font of: ``explicit``, ``$GW_LABEL_FONT``, ``candidates``."""
    configured = os.environ.get(LABEL_FONT_ENV)
    for path in (explicit, Path(configured) if configured else None, *candidates):
        if path is not None and path.is_file():
            return path
    return None


def make_label_painter(
    font_path: Path | None = None, *, size: int = 18, candidates: Sequence[Path] = KNOWN_CJK_FONTS
) -> LabelPainter:
    """A CJK painter when a font and Pillow are there; else the ASCII painter, with one log line why."""
    found = find_cjk_font(font_path, candidates)
    if found is None:
        log.warning(
            "no CJK font found (set %s or install fonts-wqy-microhei); evidence labels are drawn in ASCII",
            LABEL_FONT_ENV,
        )
        return AsciiLabelPainter(size=size)
    try:
        return PillowLabelPainter(found, size=size)
    except (ImportError, OSError) as error:
        log.warning("cannot use font %s (%s); evidence labels are drawn in ASCII", found, error)
        return AsciiLabelPainter(size=size)


def ascii_only(text: str) -> str:
    """``text`` with every non-ASCII character replaced by ``?`` (what Hershey fonts can draw)."""
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in text)


def _place(image: NDArray[np.uint8], origin: tuple[int, int], width: int, height: int) -> tuple[int, int]:
    """Top-left corner of a ``width`` x ``height`` label whose bottom-left is ``origin``, kept inside."""
    x = int(min(max(origin[0], 0), max(image.shape[1] - width, 0)))
    y = int(origin[1] - height)
    if y < 0:
        y = int(min(origin[1], max(image.shape[0] - height, 0)))
    return x, max(0, min(y, max(image.shape[0] - height, 0)))


def _text_colour(colour: BGR) -> BGR:
    return (0, 0, 0) if sum(colour) > 382 else (255, 255, 255)


class AsciiLabelPainter:
    """Labels with OpenCV's Hershey font; non-ASCII characters become ``?``."""

    supports_cjk = False

    def __init__(self, size: int = 18) -> None:
        self._scale = size / 30.0
        self._thickness = max(1, size // 12)

    def draw(self, image: NDArray[np.uint8], text: str, origin: tuple[int, int], colour: BGR) -> None:
        """Draw ``text`` on a filled box."""
        label = ascii_only(text)
        (width, height), baseline = cv2.getTextSize(
            label, cv2.FONT_HERSHEY_SIMPLEX, self._scale, self._thickness
        )
        box_w, box_h = width + 6, height + baseline + 6
        x, y = _place(image, origin, box_w, box_h)
        cv2.rectangle(image, (x, y), (x + box_w, y + box_h), colour, cv2.FILLED)
        cv2.putText(
            image,
            label,
            (x + 3, y + 3 + height),
            cv2.FONT_HERSHEY_SIMPLEX,
            self._scale,
            _text_colour(colour),
            self._thickness,
            cv2.LINE_AA,
        )


class PillowLabelPainter:
    """Labels rendered by Pillow from a local TrueType/OpenType font, blended in as small patches.

    Only the label's own patch goes through Pillow (never the whole frame), and rendered patches are cached.
    """

    supports_cjk = True

    def __init__(self, font_path: Path, size: int = 18, cache_size: int = 512) -> None:
        from PIL import ImageFont

        self.font_path = font_path
        self._font: Any = ImageFont.truetype(str(font_path), size)
        self._cache: OrderedDict[tuple[str, BGR], tuple[NDArray[np.uint8], NDArray[np.float32]]] = (
            OrderedDict()
        )
        self._cache_size = cache_size

    def draw(self, image: NDArray[np.uint8], text: str, origin: tuple[int, int], colour: BGR) -> None:
        """Draw ``text`` on a filled box."""
        patch, alpha = self._patch(text, colour)
        height, width = patch.shape[:2]
        x, y = _place(image, origin, width, height)
        region = image[y : y + height, x : x + width]
        h, w = region.shape[:2]
        if h == 0 or w == 0:
            return
        blend = alpha[:h, :w, None]
        region[:] = (patch[:h, :w] * blend + region * (1.0 - blend)).astype(np.uint8)

    def _patch(self, text: str, colour: BGR) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
        key = (text, colour)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        from PIL import Image, ImageDraw

        left, top, right, bottom = self._font.getbbox(text)
        width, height = int(right - left) + 8, int(bottom - top) + 8
        mask = Image.new("L", (width, height), 0)
        ImageDraw.Draw(mask).text((4 - left, 4 - top), text, font=self._font, fill=255)
        glyphs = np.asarray(mask, np.float32) / 255.0
        patch = np.empty((height, width, 3), np.uint8)
        patch[:] = colour
        ink = np.array(_text_colour(colour), np.float32)
        patch = (patch * (1.0 - glyphs[:, :, None]) + ink * glyphs[:, :, None]).astype(np.uint8)
        alpha = np.ones((height, width), np.float32)
        self._cache[key] = (patch, alpha)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return patch, alpha
