"""Pasting placed objects into a background frame as a camera would have seen them.

Each object is scaled to its perspective height, its brightness nudged toward the spot it stands on, laid
on a soft shadow, shifted by a sub-pixel jitter and given sensor noise anew every frame (a real camera
never delivers the same pixels twice); then the frame's own moving foreground (the real passers-by) is put
back on top, so people walk in front of the pasted objects. Nearer objects (lower foot row) are drawn last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray

from replay.compose.background import BackgroundFrame
from replay.compose.cutouts import Cutout

Image = NDArray[np.uint8]
BoxXYXY = tuple[float, float, float, float]

#: Darkening at the centre of an object's shadow.
SHADOW_STRENGTH = 0.35
#: Standard deviation of the per-frame sensor noise (0..255).
NOISE_SIGMA = 1.8
#: Largest per-frame shift, pixels.
JITTER_PX = 0.5
#: How far an object's brightness is pulled toward its spot's (0 none .. 1 all the way).
HARMONISE = 0.5


@dataclass(frozen=True, slots=True)
class Sprite:
    """A cut-out scaled for the canvas: colour and alpha (0..1) as floats."""

    rgb: NDArray[np.float32]
    alpha: NDArray[np.float32]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


def make_sprite(cutout: Cutout, height_px: float) -> Sprite:
    """The cut-out scaled to ``height_px`` (area averaging when shrinking), its aspect ratio kept."""
    height = max(2, round(height_px))
    width = max(2, round(height * cutout.width / cutout.height))
    shrink = height < cutout.height
    scaled = cv2.resize(
        cutout.rgba, (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    )
    rgb = scaled[..., :3].astype(np.float32)
    alpha = scaled[..., 3].astype(np.float32) / 255.0
    return Sprite(rgb, alpha)


def harmonised(sprite: Sprite, plate: Image, box: tuple[int, int, int, int]) -> Sprite:
    """The sprite with its mean brightness pulled HARMONISE of the way toward the plate's around ``box``."""
    x1, y1, x2, y2 = box
    height, width = plate.shape[:2]
    region = plate[max(0, y1) : min(height, y2), max(0, x1) : min(width, x2)]
    weight = float(sprite.alpha.sum())
    if region.size == 0 or weight <= 0:
        return sprite
    spot = float(region.mean())
    own = float((sprite.rgb.mean(axis=2) * sprite.alpha).sum() / weight)
    if own <= 1:
        return sprite
    factor = min(1.3, max(0.75, (spot / own) ** HARMONISE))
    return Sprite(np.clip(sprite.rgb * factor, 0, 255).astype(np.float32), sprite.alpha)


@dataclass
class Draw:
    """One object to draw on this frame: its sprite and foot point on the canvas."""

    sprite: Sprite
    foot: tuple[float, float]
    shadow: bool = True
    box: BoxXYXY = field(default=(0.0, 0.0, 0.0, 0.0))


def _shift(sprite: Sprite, dx: float, dy: float) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Colour and alpha shifted by a sub-pixel (dx, dy), on a canvas one pixel larger each way."""
    width, height = sprite.size
    matrix = np.array([[1, 0, dx + 1], [0, 1, dy + 1]], np.float32)
    size = (width + 2, height + 2)
    rgb = cv2.warpAffine(sprite.rgb, matrix, size, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    alpha = cv2.warpAffine(sprite.alpha, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    return np.asarray(rgb, np.float32), np.asarray(alpha, np.float32)


def blend(canvas: NDArray[np.float32], layer: NDArray[np.float32], alpha: NDArray[np.float32],
           left: int, top: int) -> None:  # fmt: skip
    """Alpha-blend ``layer`` into ``canvas`` with its top-left at (left, top), clipped to the canvas."""
    height, width = canvas.shape[:2]
    lh, lw = alpha.shape
    x1, y1 = max(0, left), max(0, top)
    x2, y2 = min(width, left + lw), min(height, top + lh)
    if x2 <= x1 or y2 <= y1:
        return
    a = alpha[y1 - top : y2 - top, x1 - left : x2 - left, None]
    region = canvas[y1:y2, x1:x2]
    region[:] = layer[y1 - top : y2 - top, x1 - left : x2 - left] * a + region * (1 - a)


def render(frame: BackgroundFrame, draws: list[Draw], rng: np.random.Generator) -> Image:
    """The background frame with every object drawn (far ones first), behind the frame's passers-by."""
    out = frame.image.copy()
    height, width = out.shape[:2]
    for draw in sorted(draws, key=lambda d: d.foot[1]):
        sw, sh = draw.sprite.size
        fx, fy = draw.foot
        jx, jy = (float(v) for v in rng.uniform(-JITTER_PX, JITTER_PX, 2))
        left_f, top_f = fx - sw / 2 + jx, fy - sh + jy
        left, top = math.floor(left_f), math.floor(top_f)
        draw.box = (left_f, top_f, left_f + sw, top_f + sh)
        # The shadow: a flat ellipse under the base, blurred by a third of its height.
        axes = (max(1, round(0.5 * sw)), max(1, round(0.07 * sh)))
        sigma = max(1.0, axes[1] / 3)
        reach = axes[1] + math.ceil(3 * sigma)
        # The region touched: the sprite and its whole shadow, with a margin.
        rx1 = max(0, min(left, math.floor(fx - axes[0] - 3 * sigma)) - 2)
        rx2 = min(width, max(left + sw, math.ceil(fx + axes[0] + 3 * sigma)) + 3)
        ry1 = max(0, top - 2)
        ry2 = min(height, math.ceil(fy) + reach + 3)
        if rx2 <= rx1 or ry2 <= ry1:
            continue
        region = out[ry1:ry2, rx1:rx2].astype(np.float32)
        if draw.shadow:
            shade = np.zeros(region.shape[:2], np.float32)
            centre = (round(fx - rx1), round(fy - ry1))
            cv2.ellipse(shade, centre, axes, 0, 0, 360, 1.0, -1)
            soft = np.asarray(cv2.GaussianBlur(shade, (0, 0), sigma), np.float32)
            region *= 1 - SHADOW_STRENGTH * soft[..., None]
        rgb, alpha = _shift(draw.sprite, left_f - left, top_f - top)
        noisy = rgb + rng.normal(0, NOISE_SIGMA, rgb.shape).astype(np.float32)
        blend(region, noisy, alpha, left - 1 - rx1, top - 1 - ry1)
        moving = frame.moving[ry1:ry2, rx1:rx2].astype(np.float32)[..., None] / 255.0
        source = frame.image[ry1:ry2, rx1:rx2].astype(np.float32)
        region = source * moving + region * (1 - moving)
        out[ry1:ry2, rx1:rx2] = np.clip(region + 0.5, 0, 255).astype(np.uint8)
    return out
