"""What an evaluation measures, as records: per model, per kind, per IoU threshold and per size bucket.

``gridwatch models eval --json`` writes :class:`EvaluationReport`; the table, the plot and the HTML page are
drawn from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from gridwatch.detections import ObjectKind

BucketName = Literal["all", "small", "medium", "large"]

#: The size buckets, smallest first (``all`` is every size).
SIZE_BUCKETS: tuple[BucketName, ...] = ("small", "medium", "large")

_RECORD = ConfigDict(extra="forbid", frozen=True)


class SizeBuckets(BaseModel):
    """Size buckets by box height in pixels of the original image (CCTV: a two-wheeler across the street at
    1080p is some 40-60 px tall, one by the camera several hundred)."""

    model_config = _RECORD

    small_below: float = Field(default=48.0, gt=0, description="Boxes less tall than this are small.")
    large_above: float = Field(
        default=128.0, gt=0, description="Boxes taller than this are large; the rest are medium."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.large_above < self.small_below:
            raise ValueError("large_above must be at least small_below")
        return self

    def index(self, xyxy: NDArray[np.floating]) -> NDArray[np.int64]:
        """The bucket (0 small, 1 medium, 2 large) of each box (N, 4)."""
        boxes = np.asarray(xyxy, np.float64).reshape(-1, 4)
        heights = boxes[:, 3] - boxes[:, 1]
        return np.where(heights < self.small_below, 0, np.where(heights > self.large_above, 2, 1)).astype(
            np.int64
        )

    def describe(self) -> str:
        """One line for people."""
        return (
            f"small < {self.small_below:g} px tall, medium {self.small_below:g}-{self.large_above:g} px, "
            f"large > {self.large_above:g} px"
        )


class BucketCounts(BaseModel):
    """One size bucket at the model's operating threshold, and its AP over every score."""

    model_config = _RECORD

    bucket: BucketName = Field(description="Size bucket, or `all`.")
    labelled: int = Field(ge=0, description="Labels of this size (ignored ones not counted).")
    found: int = Field(
        ge=0, description="Of those, found by a detection at or above the operating threshold."
    )
    detections: int = Field(
        ge=0,
        description="Detections at or above the operating threshold in this bucket (a detection that found "
        "a label is in that label's bucket, a false alarm in its own); ignored ones not counted.",
    )
    false_alarms: int = Field(ge=0, description="Of those, detections that found no label.")
    recall: float | None = Field(description="found / labelled; None without labels.")
    precision: float | None = Field(description="(detections - false alarms) / detections; None without any.")
    average_precision: float | None = Field(
        description="Area under the PR curve over every score down to the evaluation's minimum: "
        "sum of (recall step x precision), as scikit-learn's average_precision_score, with recall over "
        "all labels of the bucket; None without labels."
    )


class OperatingPoint(BaseModel):
    """Recall and precision if detections were kept from one score threshold up (all sizes)."""

    model_config = _RECORD

    score_threshold: float = Field(description="Detections scoring at least this are kept.")
    found: int = Field(ge=0, description="Labels found.")
    false_alarms: int = Field(ge=0, description="Kept detections that found no label.")
    recall: float | None = Field(description="found / labelled; None without labels.")
    precision: float | None = Field(
        description="Share of kept detections that found a label; None: none kept."
    )


class PrCurve(BaseModel):
    """Precision against recall as the score threshold falls (all sizes), at most a few hundred points."""

    model_config = _RECORD

    recall: list[float] = Field(description="Recall at each point, rising.")
    precision: list[float] = Field(description="Precision at each point.")
    score: list[float] = Field(description="The score threshold of each point, falling.")


class KindResult(BaseModel):
    """One object kind at one IoU threshold."""

    model_config = _RECORD

    kind: ObjectKind = Field(description="The object kind (labels and detections are matched by kind).")
    iou_threshold: float = Field(description="A detection finds a label when their IoU is at least this.")
    buckets: list[BucketCounts] = Field(description="`all`, then small, medium, large.")
    operating_points: list[OperatingPoint] = Field(description="Recall and precision by score threshold.")
    curve: PrCurve = Field(description="The PR curve over all sizes.")

    def bucket(self, name: BucketName) -> BucketCounts:
        """The counts of bucket ``name``."""
        return next(b for b in self.buckets if b.bucket == name)


class ModelResult(BaseModel):
    """Everything measured for one model."""

    model_config = _RECORD

    model_id: str = Field(description="Catalogue id, `ensemble:A+B` or a custom model's id.")
    model_version: str = Field(description="The version the backend reports.")
    runtime: str = Field(description="Runtime (and precision) it ran on, e.g. openvino-bf16.")
    operating_threshold: float = Field(
        description="The score from which the model keeps detections as deployed."
    )
    seconds: float = Field(ge=0, description="Wall time of the evaluation run (reading images included).")
    results: list[KindResult] = Field(description="Per kind and IoU threshold.")

    def result(self, kind: ObjectKind, iou_threshold: float) -> KindResult | None:
        """The result for ``kind`` at ``iou_threshold``, if measured."""
        return next(
            (r for r in self.results if r.kind is kind and abs(r.iou_threshold - iou_threshold) < 1e-9), None
        )


class SkippedModel(BaseModel):
    """A model that was asked for but not evaluated."""

    model_config = _RECORD

    model_id: str = Field(description="The model.")
    reason: str = Field(description="Why, and what to do about it.")


class SpeedResult(BaseModel):
    """Milliseconds per frame of one model, timed interleaved with the others."""

    model_config = _RECORD

    model_id: str = Field(description="The model.")
    ms_per_frame: float = Field(ge=0, description="Best round's time per frame.")


class SpeedReport(BaseModel):
    """How the models' speed was measured."""

    model_config = _RECORD

    frames: int = Field(ge=1, description="Frames (the first labelled images) per round.")
    rounds: int = Field(ge=1, description="Rounds; each model's best counts.")
    chunk: int = Field(ge=1, description="Frames one model detects before the next model takes its turn.")
    cpus: int = Field(ge=1, description="CPUs this process could use.")
    models: list[SpeedResult] = Field(description="Per model, in evaluation order.")


class DatasetSummary(BaseModel):
    """The labelled images the models were measured on."""

    model_config = _RECORD

    images_dir: Path = Field(description="The image folder.")
    labels: Path = Field(description="The labels file or folder.")
    format: Literal["voc", "coco", "yolo"] = Field(description="Label format.")
    images: int = Field(ge=1, description="Labelled images evaluated.")
    kinds: list[ObjectKind] = Field(description="Kinds evaluated: those the data set's label classes map to.")
    labelled: dict[str, dict[str, int]] = Field(
        description="Labels (not ignored) per kind and size bucket (`all`, small, medium, large)."
    )
    ignored: int = Field(ge=0, description="Labels marked difficult/crowd, of the evaluated kinds.")
    unmapped: dict[str, int] = Field(description="Label classes no kind is given for (not evaluated): boxes.")
    skipped: list[str] = Field(description="Images or label files left out, with the reason.")


class EvaluationReport(BaseModel):
    """One `gridwatch models eval` run."""

    model_config = _RECORD

    command: str = Field(description="The command line that produced this report.")
    dataset: DatasetSummary = Field(description="What was measured on.")
    size_buckets: SizeBuckets = Field(description="The size buckets.")
    iou_thresholds: list[float] = Field(description="IoU thresholds a detection must reach to find a label.")
    min_score: float = Field(description="Detections below this score were not kept for AP and PR curves.")
    views: str = Field(
        default="whole",
        description="How models looked at each image: `whole` (squeezed into the model input) or "
        "`zone_tiles` (as the detector worker, the whole image being one zone).",
    )
    models: list[ModelResult] = Field(description="Per model evaluated.")
    skipped_models: list[SkippedModel] = Field(description="Models asked for but not evaluated.")
    speed: SpeedReport | None = Field(default=None, description="Milliseconds per frame, interleaved.")
