"""The interface every detector backend provides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from detectors.class_map import ClassMap
from detectors.detections import Detections


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

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each image."""
        ...
