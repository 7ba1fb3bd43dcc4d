"""Fitting camera images into a square model input, and mapping boxes back to image pixels.

Two ways, chosen per model/backend:

- ``stretch`` resizes the whole image to the square, changing its aspect ratio. This is how
  @vladmandic/human feeds the CenterNet model, and on our test images it finds clearly more (20 vs 13 of 27
  labelled two-wheelers; fewer false "sports balls" and "motorcycles" on CCTV frames).
- ``letterbox`` keeps the aspect ratio and pads with black, centred (the upstream repository's way).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray


class ResizeMode(StrEnum):
    """How an image is fitted into the model input."""

    STRETCH = "stretch"
    LETTERBOX = "letterbox"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one image went in the model input: ``input_x = image_x * scale_x + pad_x`` (same for y)."""

    scale_x: float
    scale_y: float
    pad_x: int
    pad_y: int
    image_width: int
    image_height: int

    def to_image(self, xyxy: NDArray[np.floating]) -> NDArray[np.float32]:
        """Boxes from model-input pixels to the original image's pixels, clipped to the image."""
        boxes = np.asarray(xyxy, np.float32).reshape(-1, 4).copy()
        boxes[:, [0, 2]] = np.clip((boxes[:, [0, 2]] - self.pad_x) / self.scale_x, 0, self.image_width)
        boxes[:, [1, 3]] = np.clip((boxes[:, [1, 3]] - self.pad_y) / self.scale_y, 0, self.image_height)
        return boxes


def fit_rgb(image_bgr: NDArray[np.uint8], mode: ResizeMode, out: NDArray[np.float32]) -> Placement:
    """Fit ``image_bgr`` into ``out`` (S x S x 3 float32, RGB 0..255) by ``mode``; where it went."""
    if image_bgr.ndim != 3 or image_bgr.shape[2] != 3:
        raise ValueError(f"expected an HxWx3 BGR image, got shape {image_bgr.shape}")
    size = out.shape[0]
    height, width = image_bgr.shape[:2]
    if mode is ResizeMode.STRETCH:
        new_width, new_height = size, size
    else:
        scale = size / max(height, width)
        new_width = max(1, min(size, round(width * scale)))
        new_height = max(1, min(size, round(height * scale)))
    pad_x = (size - new_width) // 2
    pad_y = (size - new_height) // 2
    # Plain bilinear, as the model's own runtime feeds it (tf.image.resizeBilinear in @vladmandic/human):
    # the same 20/27 labelled two-wheelers as INTER_AREA, at a seventh of its cost (0.44 vs 3.0 ms per frame).
    resized = cv2.resize(image_bgr, (new_width, new_height), interpolation=cv2.INTER_LINEAR)
    if pad_x or pad_y:
        out.fill(0.0)
    np.copyto(  # BGR -> RGB in OpenCV's vectorised kernel, then one widening copy into the float tensor
        out[pad_y : pad_y + new_height, pad_x : pad_x + new_width],
        cv2.cvtColor(resized, cv2.COLOR_BGR2RGB),
        casting="unsafe",
    )
    return Placement(
        scale_x=new_width / width,
        scale_y=new_height / height,
        pad_x=pad_x,
        pad_y=pad_y,
        image_width=width,
        image_height=height,
    )
