"""Decoding SSD outputs (TF object detection API, as shipped in COCO-SSD) into boxes.

What the converted COCO-SSD graph computes for a 300x300 input (the TF graph's own post-processing up to
its two outputs, which @tensorflow-models/coco-ssd reads):

- ``scores`` (N, 1917, 90): per anchor and class, the sigmoid class score; the background column is already
  sliced off, so column ``j`` is COCO category id ``j + 1`` (COCO-90 ids, with the 10 ids COCO never used).
- ``boxes`` (N, 1917, 1, 4): per anchor, the box decoded from the anchor grid with the Faster R-CNN box
  coder (scale factors 10, 10, 5, 5) as ``ymin, xmin, ymax, xmax`` in fractions of the input (0..1, may
  stray slightly outside).

The package's JavaScript (``ObjectDetection.infer``) then takes, for each anchor, the best class and its
score, and runs ``tf.image.nonMaxSuppression`` over all anchors with one threshold (``minScore``, default
0.5) for both the score and the IoU, keeping at most ``maxNumBoxes`` (20); class ``j`` is looked up as COCO
id ``j + 1``. We do the same, with two deliberate differences, both settings: the IoU threshold is separate
from the score threshold, and NMS is per class by default (a person on a bicycle stays both, as with the
CenterNet model). Columns of ids COCO never used are ignored rather than looked up (the JavaScript would fail
on one).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.decoders.decoded import DecodedBoxes, best_first, suppressed

__all__ = ["DecodedBoxes", "SsdDecoderConfig", "decode_ssd"]


class SsdDecoderConfig(BaseModel):
    """Post-processing settings for SSD outputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    score_threshold: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="Minimum class score for a detection to be kept (the package's JavaScript uses 0.5, "
        "which found 14 of the team's 27 labelled two-wheelers; at 0.2 with zone tiles it found 25).",
    )
    iou_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="NMS: boxes overlapping a better one by more than this IoU are dropped (1.0 disables).",
    )
    max_detections: int = Field(
        default=100, gt=0, description="Most detections per image, best first (the JavaScript keeps 20)."
    )
    max_candidates: int = Field(
        default=1000, gt=0, description="Most anchors above the threshold that enter NMS (best first)."
    )
    class_agnostic_nms: bool = Field(
        default=False,
        description="Let boxes of different classes suppress each other (the JavaScript does; we keep e.g. "
        "a person on a bicycle as both by default).",
    )


def decode_ssd(
    scores: NDArray[np.float32],
    boxes: NDArray[np.float32],
    column_classes: NDArray[np.int64],
    input_size: int,
    config: SsdDecoderConfig,
) -> DecodedBoxes:
    """Decode one image's ``scores`` (A, C) and ``boxes`` (A, 4) or (A, 1, 4) into boxes in input pixels.

    ``column_classes`` (C,) gives the class id each score column stands for, -1 for columns to ignore.
    """
    if scores.ndim != 2 or column_classes.shape != (scores.shape[1],):
        raise ValueError(
            f"expected scores (A, C) and C column classes, got {scores.shape}, {column_classes.shape}"
        )
    anchors = scores.shape[0]
    if boxes.shape not in ((anchors, 4), (anchors, 1, 4)):
        raise ValueError(f"expected boxes ({anchors}, 4) or ({anchors}, 1, 4), got {boxes.shape}")
    flat_boxes = boxes.reshape(anchors, 4)
    used = np.flatnonzero(column_classes >= 0)
    if used.size == 0:
        return DecodedBoxes.empty()
    usable = scores[:, used]
    best_column = np.argmax(usable, axis=1)
    best = usable[np.arange(anchors), best_column]
    candidates = best_first(best, config.score_threshold, config.max_candidates)
    if candidates.size == 0:
        return DecodedBoxes.empty()
    score = best[candidates].astype(np.float32)
    class_id = column_classes[used[best_column[candidates]]].astype(np.int64)
    ymin, xmin, ymax, xmax = (flat_boxes[candidates, k] for k in range(4))
    xyxy = (np.stack([xmin, ymin, xmax, ymax], axis=1) * np.float32(input_size)).astype(np.float32)
    xyxy[:, 2] = np.maximum(xyxy[:, 2], xyxy[:, 0])  # never an inverted box
    xyxy[:, 3] = np.maximum(xyxy[:, 3], xyxy[:, 1])
    return suppressed(
        xyxy,
        class_id,
        score,
        iou_threshold=config.iou_threshold,
        class_agnostic=config.class_agnostic_nms,
        limit=config.max_detections,
    )
