"""The interface every detector backend provides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from detectors.backends.batch_input import PreparedBatch
from detectors.class_map import ClassMap
from gridwatch.detections import Detections


@runtime_checkable
class DetectorBackend(Protocol):
    """A loaded model that turns BGR frames into detections.

    ``detect_batch`` takes frames of any sizes (each HxWx3 uint8 BGR, as OpenCV decodes them) and returns one
    :class:`Detections` per frame, in that frame's own pixel coordinates, without track ids.
    """

    @property
    def model_id(self) -> str:
        """Catalogue id of the model, e.g. ``centernet-coco80``."""
        ...

    @property
    def model_version(self) -> str:
        """Version of the model file, so results can be traced to it."""
        ...

    @property
    def class_names(self) -> tuple[str, ...]:
        """The model's class names in class-id order."""
        ...

    @property
    def class_map(self) -> ClassMap:
        """What each class means to the rules."""
        ...

    @property
    def input_size(self) -> int:
        """Side of the square model input in pixels (zone tiles are cut to cover it at scale 1)."""
        ...

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each image."""
        ...


@runtime_checkable
class StagedBackend(DetectorBackend, Protocol):
    """A backend whose stages can be run (and timed) one by one: prepare, infer, decode.

    ``detect_batch(images)`` equals ``decode(p, infer(p))`` with ``p = prepare(images)``, for at most
    ``max_batch_size`` images. Up to ``streams`` threads may each run such a sequence at the same time.
    """

    @property
    def max_batch_size(self) -> int:
        """Most frames one prepared batch holds."""
        ...

    @property
    def streams(self) -> int:
        """How many prepare/infer/decode sequences may usefully run at once, each from its own thread."""
        ...

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        """Resize and normalise frames into the model's input tensor."""
        ...

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        """Run the model; its raw outputs."""
        ...

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        """Boxes in each frame's pixels (decoder, NMS, mapping back from the input)."""
        ...
