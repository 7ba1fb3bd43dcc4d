"""The static-foreground signal in the worker: one model per camera whose trading rules ask for it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

from detectors.camera_zones import CameraZones
from detectors.static_foreground import StaticForeground, StaticForegroundSettings, as_detections
from gridwatch.detections import Detections
from gridwatch.messages import Frame


class StaticForegroundSignals:
    """Feeds each enabled camera's frames, in order, to its own :class:`StaticForeground` model.

    Its boxes join the frame's detections as model-free ones (``class_id`` -1, ``static_foreground``).
    State is bounded: at most ``max_cameras`` models, and :meth:`drop` forgets cameras that went quiet or
    moved to another worker.
    """

    def __init__(
        self,
        camera_ids: Iterable[str],
        settings: StaticForegroundSettings | None = None,
        max_cameras: int = 4096,
        per_camera: Mapping[str, StaticForegroundSettings] | None = None,
    ) -> None:
        self.enabled = frozenset(camera_ids)
        self.settings = settings or StaticForegroundSettings()
        self.per_camera = dict(per_camera or {})  # cameras with settings of their own
        self.max_cameras = max_cameras
        self._models: OrderedDict[str, StaticForeground] = OrderedDict()
        self._last: dict[str, tuple[int, int, Detections]] = {}

    def __len__(self) -> int:
        return len(self._models)

    def detect(self, frame: Frame, image: NDArray[np.uint8], zones: CameraZones | None) -> Detections:
        """Static blobs of this frame (none for cameras without a static-foreground rule)."""
        if frame.camera_id not in self.enabled:
            return Detections.empty()
        model = self._models.pop(frame.camera_id, None) or StaticForeground(
            self.per_camera.get(frame.camera_id, self.settings)
        )
        self._models[frame.camera_id] = model
        while len(self._models) > self.max_cameras:
            self._models.popitem(last=False)
        blobs = model.update(image, frame.captured_at)
        height, width = image.shape[:2]
        found = as_detections(blobs, width, height)
        self._last[frame.camera_id] = (width, height, found)
        return found

    def regions(self, camera_id: str, width: int, height: int) -> list[tuple[float, float, float, float]]:
        """The camera's static blobs of its previous sample, largest first, in a ``width`` x ``height``
        frame's pixels: what stood still there is worth a zoomed look by the model."""
        last = self._last.get(camera_id)
        if last is None or not len(last[2]):
            return []
        found = last[2].scaled(width / last[0], height / last[1])
        order = np.argsort(-found.area, kind="stable")
        return [found.boxes()[int(i)] for i in order]

    def drop(self, camera_ids: Iterable[str]) -> None:
        """Forget these cameras' background models."""
        for camera_id in camera_ids:
            self._models.pop(camera_id, None)
            self._last.pop(camera_id, None)
