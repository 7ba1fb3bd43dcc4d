"""What a backend needs to know to run one model: input format, output decoder, classes.

Catalogue models (:mod:`detectors.models.registry`) and custom models (:mod:`detectors.models.custom`) both
become a :class:`RunnableModel`, so every backend runs either kind the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from detectors.class_map import ClassMap
from detectors.decoders.centernet import CenterNetDecoderConfig, decode_centernet
from detectors.decoders.decoded import DecodedBoxes
from detectors.decoders.ssd import SsdDecoderConfig, decode_ssd
from detectors.decoders.yolo import YoloDecoderConfig, YoloLayout, decode_yolo, detect_layout
from detectors.input_resize import ResizeMode
from gridwatch.detections import ObjectKind


class InputLayout(StrEnum):
    """Memory layout of the model's image input."""

    NHWC = "nhwc"
    NCHW = "nchw"


class OutputDecoder(Protocol):
    """Turns a batch's raw output tensors into one image's boxes in model-input pixels."""

    def decode(self, outputs: Sequence[NDArray[np.float32]], index: int) -> DecodedBoxes:
        """Boxes of image ``index`` of the batch."""
        ...


@dataclass(frozen=True, slots=True)
class CenterNetOutputs:
    """Outputs ``peaks`` (N, H, W, C) and ``sizes`` (N, H, W, 4), in that order."""

    config: CenterNetDecoderConfig

    def decode(self, outputs: Sequence[NDArray[np.float32]], index: int) -> DecodedBoxes:
        """Boxes of image ``index``."""
        peaks, sizes = outputs[0], outputs[1]
        return decode_centernet(peaks[index], sizes[index], self.config)


@dataclass(frozen=True, slots=True)
class SsdOutputs:
    """Outputs ``scores`` (N, A, C) and ``boxes`` (N, A, 1, 4) or (N, A, 4), in that order (COCO-SSD).

    ``column_classes`` gives the class id (index into the model's class names) of each score column, -1 for
    columns to ignore; boxes are fractions of the square input of side ``input_size``.
    """

    config: SsdDecoderConfig
    column_classes: tuple[int, ...]
    input_size: int

    def decode(self, outputs: Sequence[NDArray[np.float32]], index: int) -> DecodedBoxes:
        """Boxes of image ``index``."""
        scores, boxes = outputs[0], outputs[1]
        columns = np.asarray(self.column_classes, np.int64)
        return decode_ssd(scores[index], boxes[index], columns, self.input_size, self.config)


@dataclass(slots=True)
class YoloOutputs:
    """One output, ``(N, 4 + C, A)`` or ``(N, K, 6)``; the layout is read from the first batch's shape."""

    config: YoloDecoderConfig
    class_count: int
    layout: YoloLayout | None = field(default=None)

    def decode(self, outputs: Sequence[NDArray[np.float32]], index: int) -> DecodedBoxes:
        """Boxes of image ``index``."""
        output = outputs[0]
        if self.layout is None:
            self.layout = detect_layout(tuple(output.shape), self.class_count)
        return decode_yolo(output[index], self.layout, self.config)


@dataclass(frozen=True, slots=True)
class RunnableModel:
    """One model as a backend runs it."""

    id: str
    version: str
    class_names: tuple[str, ...]
    class_map: ClassMap
    input_size: int
    layout: InputLayout
    input_scale: float
    """Multiplier from 0..255 RGB to what the model expects (1.0 for 0..255, 1/255 for 0..1)."""
    default_resize: ResizeMode
    decoder: OutputDecoder
    input_name: str | None = None
    """Name of the image input; None: the model's first input."""
    output_names: tuple[str, ...] | None = None
    """Outputs in the order the decoder reads them; None: all, in the model's order."""

    @property
    def class_kinds(self) -> tuple[ObjectKind, ...]:
        """The object kind of each class, in class-id order."""
        return tuple(self.class_map.kinds_of(self.class_names))
