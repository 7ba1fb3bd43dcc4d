"""Colour signatures of detected boxes: what lets the rules tell one parked bike from the next one there.

A signature is a hue x saturation histogram of the middle of the box (its outer sixth on each side is left
out: mostly pavement and neighbours), computed on a small copy of the crop, L1-normalised and quantised to
bytes. Two sightings of the same object in similar light intersect near 1; a red e-bike and a black bicycle
at the same spot, or a bike and the person pushing another one past, far lower. Dark, unsaturated pixels
count in one extra "grey" bin per value band, so black and white objects still have a signature.
:func:`gridwatch.detections.look_similarity` compares two.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

HUE_BINS = 8
SATURATION_BINS = 3
GREY_BINS = 4
#: Bytes per signature.
SIGNATURE_BYTES = HUE_BINS * SATURATION_BINS + GREY_BINS
#: Pixels of saturation (0-255) below which a pixel counts by its brightness (grey bins), not its hue.
GREY_SATURATION = 40
#: Crops are shrunk to at most this side before counting (the signature needs colour, not detail).
WORK_SIDE = 32


def signatures(image_bgr: NDArray[np.uint8], xyxy: NDArray[np.float32]) -> NDArray[np.uint8]:
    """One signature per box of ``xyxy`` (frame pixels) on ``image_bgr``; an all-zero row for a box with no
    pixels left after the margin."""
    out = np.zeros((len(xyxy), SIGNATURE_BYTES), np.uint8)
    height, width = image_bgr.shape[:2]
    for index, (x1, y1, x2, y2) in enumerate(np.asarray(xyxy, np.float32).tolist()):
        margin_x, margin_y = (x2 - x1) / 6, (y2 - y1) / 6
        left, right = max(0, int(x1 + margin_x)), min(width, int(np.ceil(x2 - margin_x)))
        top, bottom = max(0, int(y1 + margin_y)), min(height, int(np.ceil(y2 - margin_y)))
        if right <= left or bottom <= top:
            continue
        crop = image_bgr[top:bottom, left:right]
        scale = min(1.0, WORK_SIDE / max(crop.shape[:2]))
        if scale < 1.0:
            size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
            crop = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), np.uint8)
        out[index] = _signature(np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2HSV), np.uint8))
    return out


def _signature(hsv: NDArray[np.uint8]) -> NDArray[np.uint8]:
    pixels = hsv.reshape(-1, 3).astype(np.int32)
    hue, saturation, value = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    grey = saturation < GREY_SATURATION
    colour_bin = (hue * HUE_BINS // 180) * SATURATION_BINS + np.minimum(
        (saturation - GREY_SATURATION) * SATURATION_BINS // (256 - GREY_SATURATION), SATURATION_BINS - 1
    )
    grey_bin = HUE_BINS * SATURATION_BINS + value * GREY_BINS // 256
    bins = np.where(grey, grey_bin, colour_bin)
    counts = np.bincount(bins, minlength=SIGNATURE_BYTES).astype(np.float64)
    total = counts.sum()
    if total == 0:
        return np.zeros(SIGNATURE_BYTES, np.uint8)
    return np.asarray(np.round(counts / total * 255), np.uint8)
