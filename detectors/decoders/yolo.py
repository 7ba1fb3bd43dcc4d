"""Decoding ultralytics YOLO ONNX outputs into boxes.

Two layouts, as ``model.export(format="onnx")`` writes them:

- YOLOv8 / YOLO11 (and v5u, v9, v12 heads): one output ``(N, 4 + C, A)``: for each of ``A`` anchors the box
  centre and size ``cx, cy, w, h`` in input pixels followed by ``C`` class scores (already sigmoid). Boxes
  overlap, so non-maximum suppression follows (class-aware by default, as ultralytics does).
- YOLO26 (and YOLOv10) end-to-end: one output ``(N, K, 6)``: ``x1, y1, x2, y2, score, class`` for the ``K``
  best candidates (300 by default), already one box per object: no NMS, only the score threshold.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.decoders.decoded import DecodedBoxes, best_first, suppressed


class YoloLayout(StrEnum):
    """Which YOLO output layout a model has."""

    ANCHORS = "anchors"
    """``(N, 4 + C, A)`` centre/size + class scores per anchor (YOLOv8, YOLO11); needs NMS."""
    END_TO_END = "end2end"
    """``(N, K, 6)`` corner boxes, score, class (YOLO26, YOLOv10); no NMS."""


class YoloDecoderConfig(BaseModel):
    """Post-processing settings for YOLO outputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    score_threshold: float = Field(
        default=0.25, ge=0.0, le=1.0, description="Minimum class score for a detection to be kept."
    )
    iou_threshold: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="NMS: boxes overlapping a better one by more than this IoU are dropped (anchors layout).",
    )
    max_detections: int = Field(default=300, gt=0, description="Most detections per image, best first.")
    max_candidates: int = Field(
        default=3000, gt=0, description="Most boxes above the threshold that enter NMS (best first)."
    )
    class_agnostic_nms: bool = Field(
        default=False, description="Let boxes of different classes suppress each other."
    )


def detect_layout(shape: tuple[int, ...], class_count: int) -> YoloLayout:
    """The layout of one YOLO output of ``shape`` (batch first) for a model with ``class_count`` classes."""
    if len(shape) != 3:
        raise ValueError(f"a YOLO output has 3 dimensions (N, ., .), got shape {shape}")
    if shape[2] == 6 and shape[1] != 4 + class_count:
        return YoloLayout.END_TO_END
    if shape[1] == 4 + class_count:
        return YoloLayout.ANCHORS
    raise ValueError(
        f"output shape {shape} is neither (N, 4+{class_count}, anchors) nor (N, K, 6) "
        f"for {class_count} classes"
    )


def decode_yolo(output: NDArray[np.float32], layout: YoloLayout, config: YoloDecoderConfig) -> DecodedBoxes:
    """Decode one image's output (the batch dimension removed): ``(4 + C, A)`` or ``(K, 6)``."""
    if layout is YoloLayout.END_TO_END:
        return _decode_end_to_end(output, config)
    return _decode_anchors(output, config)


def _decode_anchors(output: NDArray[np.float32], config: YoloDecoderConfig) -> DecodedBoxes:
    if output.ndim != 2 or output.shape[0] < 5:
        raise ValueError(f"expected a (4 + classes, anchors) output, got shape {output.shape}")
    scores = output[4:]
    class_id = np.argmax(scores, axis=0)
    best = scores[class_id, np.arange(scores.shape[1])]
    keep = best_first(best, config.score_threshold, config.max_candidates)
    if keep.size == 0:
        return DecodedBoxes.empty()
    cx, cy, w, h = (output[i, keep] for i in range(4))
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    score = best[keep].astype(np.float32)
    classes = class_id[keep].astype(np.int64)
    return suppressed(
        xyxy,
        classes,
        score,
        iou_threshold=config.iou_threshold,
        class_agnostic=config.class_agnostic_nms,
        limit=config.max_detections,
    )


def _decode_end_to_end(output: NDArray[np.float32], config: YoloDecoderConfig) -> DecodedBoxes:
    if output.ndim != 2 or output.shape[1] != 6:
        raise ValueError(f"expected a (candidates, 6) output, got shape {output.shape}")
    score = output[:, 4]
    keep = best_first(score, config.score_threshold, config.max_detections)
    xyxy = output[keep, :4].astype(np.float32)
    xyxy[:, 2] = np.maximum(xyxy[:, 2], xyxy[:, 0])
    xyxy[:, 3] = np.maximum(xyxy[:, 3], xyxy[:, 1])
    return DecodedBoxes(
        xyxy=xyxy.reshape(-1, 4),
        class_id=np.rint(output[keep, 5]).astype(np.int64),
        score=score[keep].astype(np.float32),
    )
