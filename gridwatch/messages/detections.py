"""`gw.detections`: what a detector found on one frame, keyed by camera id.

The record carries the :class:`gridwatch.detections.Detections` value itself; this module is its one
encode/decode at the topic boundary. On the wire the detections are a list of objects, one per detection::

    {"box": [x1, y1, x2, y2], "class_id": 2, "class_name": "bicycle", "kind": "two_wheeler", "score": 0.73}

(boxes to 0.1 px, scores to 1e-4; ``class_id`` -1 for a model-free signal, which may add ``"stood_s"``: how
long the object had already stood still; ``look``: a colour signature, hex). Both are optional and added
within schema 2: a reader older than them refuses such records, so upgrade the readers (streams, replay)
before the detector workers).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import Field, PlainSerializer, PlainValidator, TypeAdapter, WithJsonSchema, model_validator

from gridwatch.detections import MODEL_FREE, Detections, ObjectKind
from gridwatch.messages.base import Box, EpochSeconds, GwMessage, Identifier, WireModel
from gridwatch.messages.frames import MAX_IMAGE_SIDE

__all__ = [
    "MAX_DETECTIONS_PER_FRAME",
    "FrameDetections",
    "ModelRef",
    "ObjectKind",
    "StageTimings",
    "WireDetection",
]

#: Most detections one frame may report (a crowded street scene stays well below).
MAX_DETECTIONS_PER_FRAME = 1000
#: Longest colour signature a detection may carry, in bytes.
MAX_LOOK_BYTES = 64


class ModelRef(WireModel):
    """Which model produced the detections."""

    id: str = Field(min_length=1, max_length=128, description="Model name, e.g. 'yolov8n-gridwatch'.")
    version: str = Field(min_length=1, max_length=64, description="Model version or weights digest.")


class WireDetection(WireModel):
    """One detection as ``gw.detections`` carries it."""

    box: Box = Field(description="Bounding box [x1, y1, x2, y2] in frame pixels, inside the frame.")
    class_id: int = Field(
        ge=MODEL_FREE, description="Class index in the model's own class list; -1 for a model-free signal."
    )
    class_name: str = Field(min_length=1, max_length=64, description="Class name in the model's class list.")
    kind: ObjectKind = Field(description="The Gridwatch object kind the class maps to.")
    score: float = Field(ge=0.0, le=1.0, description="Detection confidence, 0..1.")
    look: str | None = Field(
        default=None,
        max_length=MAX_LOOK_BYTES * 2,
        pattern="^([0-9a-f]{2})*$",
        description="The box's colour signature, hex (the appearance column); absent when not computed.",
    )
    stood_s: float | None = Field(
        default=None,
        ge=0.0,
        description="Seconds the object had already stood still when the frame was taken, as a model-free "
        "signal measured it (static foreground); absent when unmeasured.",
    )


_WIRE_LIST = TypeAdapter(tuple[WireDetection, ...])


def _from_wire(value: Any) -> Detections:
    if isinstance(value, Detections):
        return value
    rows = _WIRE_LIST.validate_python(value)
    if len(rows) > MAX_DETECTIONS_PER_FRAME:
        raise ValueError(f"{len(rows)} detections; at most {MAX_DETECTIONS_PER_FRAME} per frame")
    if not rows:
        return Detections.empty()
    looks = [bytes.fromhex(row.look) if row.look else b"" for row in rows]
    width = max(len(look) for look in looks)
    if any(look and len(look) != width for look in looks):
        raise ValueError("detections carry colour signatures of different lengths")
    appearance = np.zeros((len(rows), width), np.uint8)
    for index, look in enumerate(looks):
        if look:
            appearance[index] = np.frombuffer(look, np.uint8)
    return Detections(
        xyxy=np.array([row.box for row in rows], np.float32),
        score=np.array([row.score for row in rows], np.float32),
        class_id=np.array([row.class_id for row in rows], np.int64),
        class_name=tuple(row.class_name for row in rows),
        kind=tuple(row.kind for row in rows),
        appearance=appearance,
        stood_s=np.array([row.stood_s or 0.0 for row in rows], np.float32),
    )


def _to_wire(value: Detections) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    looks = value.looks
    stood = value.stood.tolist()
    for index, (box, class_id, name, kind, score) in enumerate(
        zip(
            value.xyxy.tolist(),
            value.class_id.tolist(),
            value.class_name,
            value.kind,
            value.score.tolist(),
            strict=True,
        )
    ):
        row: dict[str, Any] = {
            "box": [round(v, 1) for v in box],
            "class_id": class_id,
            "class_name": name,
            "kind": kind.value,
            "score": round(score, 4),
        }
        if looks.shape[1] and looks[index].any():
            row["look"] = looks[index].tobytes().hex()
        if stood[index] > 0:
            row["stood_s"] = round(stood[index], 1)
        rows.append(row)
    return rows


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` references replaced by the definitions (it is embedded in another)."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


#: The :class:`Detections` value as a message field: validated from (and written as) a list of
#: :class:`WireDetection` objects.
DetectionsField = Annotated[
    Detections,
    PlainValidator(_from_wire),
    PlainSerializer(_to_wire),
    WithJsonSchema(
        {
            "type": "array",
            "items": _inlined(WireDetection.model_json_schema()),
            "maxItems": MAX_DETECTIONS_PER_FRAME,
        }
    ),
]


class StageTimings(WireModel):
    """Time the detector spent on this frame, per stage, in milliseconds."""

    decode: float = Field(ge=0.0, description="JPEG decode time in ms.")
    preprocess: float = Field(ge=0.0, description="Resize/normalise time in ms.")
    infer: float = Field(ge=0.0, description="Model inference time in ms (this frame's share of a batch).")
    postprocess: float = Field(
        ge=0.0, description="NMS, class mapping, view merging and extra-signal time in ms."
    )


class FrameDetections(GwMessage):
    """Every detection on one frame of one camera."""

    schema_version: Literal["gw.detections/2"] = Field(
        default="gw.detections/2", description="Schema version of this record."
    )
    camera_id: Identifier = Field(description="Camera of the frame; the record key.")
    seq: int = Field(ge=0, description="Sequence number of the frame these detections belong to.")
    captured_at: EpochSeconds = Field(description="Capture time of the frame in epoch seconds.")
    frame_width: int = Field(gt=0, le=MAX_IMAGE_SIDE, description="Width of the frame in pixels.")
    frame_height: int = Field(gt=0, le=MAX_IMAGE_SIDE, description="Height of the frame in pixels.")
    model: ModelRef = Field(description="The model that produced these detections.")
    detections: DetectionsField = Field(description="The objects found; empty when none.")
    timings_ms: StageTimings = Field(description="Per-stage processing time in milliseconds.")
    evidence_url: str | None = Field(
        default=None, max_length=2048, description="URL of the annotated snapshot, if one was rendered."
    )

    @model_validator(mode="after")
    def _boxes_inside_frame(self) -> Self:
        xyxy = self.detections.xyxy
        outside = (xyxy[:, 0] < 0) | (xyxy[:, 1] < 0) | (xyxy[:, 2] > self.frame_width)
        outside |= xyxy[:, 3] > self.frame_height
        if outside.any():
            index = int(outside.argmax())
            raise ValueError(
                f"detections[{index}].box {[round(v, 1) for v in xyxy[index].tolist()]} lies outside the "
                f"{self.frame_width}x{self.frame_height} frame"
            )
        return self
