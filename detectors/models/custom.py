"""Custom models by configuration: a YOLO (or CenterNet) ONNX/OpenVINO/`.pt` file and what its classes mean.

A custom-trained model with classes such as ``stall``, ``goods`` and ``ebike`` plugs in with a YAML file::

    id: yolo11s-street
    path: /srv/models/yolo11s-street.onnx     # exported with `yolo export format=onnx` (or .xml / .pt)
    format: yolo
    class_map:
      kinds: {ebike: two_wheeler, bicycle: two_wheeler, stall: trading_object, goods: trading_object,
              person: person}

Class names and the input size are read from the metadata ultralytics writes into the exported file when
they are not given; classes that ``class_map`` does not list map to its ``default`` (``other``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from detectors.class_map import ClassMap, coco_class_map
from detectors.coco import COCO80_CLASS_NAMES
from detectors.decoders.centernet import CenterNetDecoderConfig
from detectors.decoders.yolo import YoloDecoderConfig
from detectors.input_resize import ResizeMode
from detectors.models.cache import sha256_file
from detectors.models.runnable import CenterNetOutputs, InputLayout, RunnableModel, YoloOutputs


class ModelFormat(StrEnum):
    """Which decoder reads the model's outputs."""

    YOLO = "yolo"
    CENTERNET = "centernet"


class CustomModelConfig(BaseModel):
    """A model file that is not in the catalogue, and how to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128, description="Model id reported in gw.detections.")
    path: Path = Field(
        description="The model file: .onnx (ONNX Runtime), .xml (OpenVINO) or .pt (ultralytics)."
    )
    version: str | None = Field(
        default=None,
        max_length=64,
        description="Model version reported in gw.detections; unset: the first 12 hex digits of its SHA-256.",
    )
    format: ModelFormat = Field(default=ModelFormat.YOLO, description="Output layout: yolo or centernet.")
    class_names: tuple[str, ...] | None = Field(
        default=None,
        description="Class names in class-id order; unset: ultralytics' `names` metadata, else COCO-80.",
    )
    class_map: ClassMap | None = Field(
        default=None, description="Class name to object kind; unset: the COCO mapping."
    )
    input_size: int | None = Field(
        default=None, gt=0, description="Square input side; unset: from the model's input shape or metadata."
    )
    resize: ResizeMode = Field(
        default=ResizeMode.LETTERBOX,
        description="How frames are fitted into the input (YOLO trains letterboxed).",
    )
    yolo: YoloDecoderConfig = Field(
        default_factory=YoloDecoderConfig, description="Post-processing of YOLO outputs."
    )
    centernet: CenterNetDecoderConfig = Field(
        default_factory=CenterNetDecoderConfig, description="Post-processing of CenterNet outputs."
    )

    @classmethod
    def from_yaml(cls, path: Path) -> CustomModelConfig:
        """Read a model configuration; a relative ``path`` inside it is relative to the YAML file."""
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        config = cls.model_validate(document)
        if not config.path.is_absolute():
            config = config.model_copy(update={"path": (path.parent / config.path).resolve()})
        return config

    @classmethod
    def for_file(cls, path: Path) -> CustomModelConfig:
        """A YOLO model file with everything else read from its metadata (e.g. an exported yolo11n.onnx)."""
        return cls(id=path.stem, path=path)

    def resolve(self, metadata: Mapping[str, str], input_shape: Sequence[int | str | None]) -> RunnableModel:
        """The runnable model, given the file's metadata map and its image input shape."""
        names = self.class_names or names_from_metadata(metadata) or COCO80_CLASS_NAMES
        size = self.input_size or _size_from(input_shape, metadata)
        if size is None:
            raise ValueError(
                f"{self.path}: the input size is neither in the model nor configured (input_size)"
            )
        layout = InputLayout.NCHW if len(input_shape) == 4 and input_shape[1] == 3 else InputLayout.NHWC
        if self.format is ModelFormat.YOLO:
            decoder: CenterNetOutputs | YoloOutputs = YoloOutputs(self.yolo, len(names))
            scale = 1.0 / 255.0
        else:
            decoder = CenterNetOutputs(self.centernet)
            scale = 1.0
        return RunnableModel(
            id=self.id,
            version=self.version or file_digest(self.path),
            class_names=tuple(names),
            class_map=self.class_map or coco_class_map(),
            input_size=size,
            layout=layout,
            input_scale=scale,
            default_resize=self.resize,
            decoder=decoder,
        )


def names_from_metadata(metadata: Mapping[str, str]) -> tuple[str, ...] | None:
    """Class names from ultralytics' ``names`` metadata (``"{0: 'person', 1: 'bicycle'}"``), if present."""
    raw = metadata.get("names")
    if not raw:
        return None
    try:
        parsed = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return None
    if isinstance(parsed, dict):
        return tuple(str(parsed[key]) for key in sorted(parsed))
    if isinstance(parsed, list | tuple):
        return tuple(str(name) for name in parsed)
    return None


def file_digest(path: Path, length: int = 12) -> str:
    """The first ``length`` hex digits of a file's SHA-256."""
    return sha256_file(path)[:length]


def _size_from(input_shape: Sequence[int | str | None], metadata: Mapping[str, str]) -> int | None:
    spatial = [d for d in input_shape[1:] if isinstance(d, int) and d > 3]
    if spatial:
        return int(spatial[0])
    raw = metadata.get("imgsz")
    if raw:
        try:
            parsed = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return None
        if isinstance(parsed, list | tuple) and parsed:
            return int(parsed[0])
        if isinstance(parsed, int):
            return parsed
    return None
