"""`gw.detections`: what a detector found on one frame, keyed by camera id.

Mirrors supervision's ``Detections`` (xyxy boxes, class ids, scores, tracker ids) as a wire record; the
detector and the rules convert to and from their in-memory array value type.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, model_validator

from gridwatch.messages.base import Box, EpochSeconds, GwMessage, Identifier, WireModel
from gridwatch.messages.frames import MAX_IMAGE_SIDE

#: Most detections one frame may report (a crowded street scene stays well below).
MAX_DETECTIONS_PER_FRAME = 1000


class ObjectKind(StrEnum):
    """Gridwatch's own object vocabulary, independent of a model's class list."""

    TWO_WHEELER = "two_wheeler"
    PERSON = "person"
    TRADING_OBJECT = "trading_object"
    VEHICLE = "vehicle"
    OTHER = "other"


class ModelRef(WireModel):
    """Which model produced the detections."""

    id: str = Field(min_length=1, max_length=128, description="Model name, e.g. 'yolov8n-gridwatch'.")
    version: str = Field(min_length=1, max_length=64, description="Model version or weights digest.")


class Detection(WireModel):
    """One object on one frame."""

    box: Box = Field(description="Bounding box [x1, y1, x2, y2] in frame pixels, inside the frame.")
    class_id: int = Field(ge=0, description="Class index in the model's own class list.")
    class_name: str = Field(min_length=1, max_length=64, description="Class name in the model's class list.")
    kind: ObjectKind = Field(description="The Gridwatch object kind the class maps to.")
    score: float = Field(ge=0.0, le=1.0, description="Detection confidence, 0..1.")
    track_id: int | None = Field(
        default=None, ge=0, description="Tracker id, stable across frames of one camera; None if untracked."
    )


class StageTimings(WireModel):
    """Time the detector spent on this frame, per stage, in milliseconds."""

    decode: float = Field(ge=0.0, description="JPEG decode time in ms.")
    preprocess: float = Field(ge=0.0, description="Resize/normalise time in ms.")
    infer: float = Field(ge=0.0, description="Model inference time in ms (this frame's share of a batch).")
    postprocess: float = Field(ge=0.0, description="NMS, class mapping and tracking time in ms.")


class Detections(GwMessage):
    """Every detection on one frame of one camera."""

    schema_version: Literal["gw.detections/1"] = Field(
        default="gw.detections/1", description="Schema version of this record."
    )
    camera_id: Identifier = Field(description="Camera of the frame; the record key.")
    seq: int = Field(ge=0, description="Sequence number of the frame these detections belong to.")
    captured_at: EpochSeconds = Field(description="Capture time of the frame in epoch seconds.")
    frame_width: int = Field(gt=0, le=MAX_IMAGE_SIDE, description="Width of the frame in pixels.")
    frame_height: int = Field(gt=0, le=MAX_IMAGE_SIDE, description="Height of the frame in pixels.")
    model: ModelRef = Field(description="The model that produced these detections.")
    detections: tuple[Detection, ...] = Field(
        max_length=MAX_DETECTIONS_PER_FRAME, description="The objects found; empty when none."
    )
    timings_ms: StageTimings = Field(description="Per-stage processing time in milliseconds.")
    evidence_url: str | None = Field(
        default=None, max_length=2048, description="URL of the annotated snapshot, if one was rendered."
    )

    @model_validator(mode="after")
    def _boxes_inside_frame(self) -> Self:
        for index, detection in enumerate(self.detections):
            _x1, _y1, x2, y2 = detection.box
            if x2 > self.frame_width or y2 > self.frame_height:
                raise ValueError(
                    f"detections[{index}].box {list(detection.box)} lies outside the "
                    f"{self.frame_width}x{self.frame_height} frame"
                )
        return self
