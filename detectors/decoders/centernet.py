"""Decoding the MobileNetV3 CenterNet (COCO-80) outputs into boxes.

What the model computes (the part of the TF.js graph we convert to ONNX), for a 512x512 input:

- ``peaks`` (N, 128, 128, 80): per-class centre heatmap (sigmoid scores) on a stride-4 grid, reduced to
  local maxima: the graph's 3x3 max-pool "NMS" is kept, so a cell is non-zero only where its score is the
  maximum of its 3x3 neighbourhood (per class).
- ``sizes`` (N, 128, 128, 4): distances in input pixels from the cell centre ``(4x, 4y)`` to the box's left,
  top, right and bottom edges (the graph already multiplies the raw regression by 16).

The TF.js graph then takes the top 100 cells over all classes and emits ``(x1, y1, x2, y2, score, class)``
with ``x1 = 4x - left``, ``y1 = 4y - top``, ``x2 = 4x + right``, ``y2 = 4y + bottom``; that part hard-codes a
batch of one, so we do it here instead, and then (as @vladmandic/human does) suppress overlapping boxes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.decoders.decoded import DecodedBoxes, suppressed

__all__ = ["CenterNetDecoderConfig", "DecodedBoxes", "decode_centernet"]


class CenterNetDecoderConfig(BaseModel):
    """Post-processing settings for CenterNet outputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stride: int = Field(default=4, gt=0, description="Input pixels per output cell.")
    score_threshold: float = Field(
        default=0.2, ge=0.0, le=1.0, description="Minimum centre score for a detection to be kept."
    )
    max_detections: int = Field(
        default=100, gt=0, description="Most detections per image, best first (the graph's own top-k is 100)."
    )
    iou_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Boxes overlapping a better one by more than this IoU are dropped (1.0 disables).",
    )
    class_agnostic_nms: bool = Field(
        default=False,
        description="Let boxes of different classes suppress each other (human does; we keep e.g. a person "
        "on a bicycle as both by default).",
    )


def decode_centernet(
    peaks: NDArray[np.float32], sizes: NDArray[np.float32], config: CenterNetDecoderConfig
) -> DecodedBoxes:
    """Decode one image's ``peaks`` (H, W, C) and ``sizes`` (H, W, 4) into boxes."""
    if peaks.ndim != 3 or sizes.shape != (*peaks.shape[:2], 4):
        raise ValueError(f"expected peaks (H, W, C) and sizes (H, W, 4), got {peaks.shape} and {sizes.shape}")
    _, width, classes = peaks.shape
    flat = peaks.reshape(-1)
    floor = max(config.score_threshold, float(np.finfo(np.float32).tiny))  # zero cells are never detections
    candidates = np.flatnonzero(flat >= floor)
    if candidates.size > config.max_detections:
        best = np.argpartition(-flat[candidates], config.max_detections - 1)[: config.max_detections]
        candidates = candidates[best]
    candidates = candidates[np.argsort(-flat[candidates], kind="stable")]
    score = flat[candidates].astype(np.float32)
    class_id = (candidates % classes).astype(np.int64)
    cell = candidates // classes
    cell_y, cell_x = np.divmod(cell, width)
    distances = sizes.reshape(-1, 4)[cell].astype(np.float32)
    centre_x = (cell_x * config.stride).astype(np.float32)
    centre_y = (cell_y * config.stride).astype(np.float32)
    xyxy = np.stack(
        [
            centre_x - distances[:, 0],
            centre_y - distances[:, 1],
            centre_x + distances[:, 2],
            centre_y + distances[:, 3],
        ],
        axis=1,
    )
    # the regression can go slightly negative on tiny objects: never emit an inverted box
    xyxy[:, 2] = np.maximum(xyxy[:, 2], xyxy[:, 0])
    xyxy[:, 3] = np.maximum(xyxy[:, 3], xyxy[:, 1])
    return suppressed(
        xyxy, class_id, score, iou_threshold=config.iou_threshold, class_agnostic=config.class_agnostic_nms
    )
