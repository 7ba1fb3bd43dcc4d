"""Signals other than the model that add detections to a frame (e.g. static foreground for trading rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from detectors.camera_zones import CameraZones
from gridwatch.detections import Detections
from gridwatch.messages import Frame


class ExtraSignals(Protocol):
    """Per-camera detectors run next to the model, on the same decoded frame, in the camera's frame order."""

    def detect(self, frame: Frame, image: NDArray[np.uint8], zones: CameraZones | None) -> Detections:
        """Extra detections for this frame; empty for cameras that do not use the signal."""
        ...

    def regions(self, camera_id: str, width: int, height: int) -> list[tuple[float, float, float, float]]:
        """Boxes (in a ``width`` x ``height`` frame) where the signal last found something worth a closer look
        by the model; empty when none."""
        ...

    def drop(self, camera_ids: Iterable[str]) -> None:
        """Forget the state of these cameras (they moved to another worker)."""
        ...
