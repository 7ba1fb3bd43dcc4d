"""Tracker state of every camera a worker serves, dropped when a camera goes quiet or moves away."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

from detectors.detections import Detections
from detectors.tracking.camera_tracker import CameraTracker
from detectors.tracking.settings import TrackerSettings


class TrackerRegistry:
    """One :class:`CameraTracker` per camera, created on a camera's first frame.

    Memory stays bounded: a camera without a frame for ``camera_idle_s`` seconds of the injected ``clock``
    is dropped by :meth:`evict_idle` (the worker calls it after every batch), at most ``max_cameras`` are kept
    (the longest quiet goes first), and :meth:`drop` forgets cameras whose partitions moved to another worker.
    """

    def __init__(self, settings: TrackerSettings, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._trackers: OrderedDict[str, tuple[CameraTracker, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._trackers)

    def __contains__(self, camera_id: object) -> bool:
        return camera_id in self._trackers

    @property
    def track_count(self) -> int:
        """Live tracks over all cameras."""
        return sum(tracker.track_count for tracker, _ in self._trackers.values())

    def update(self, camera_id: str, detections: Detections, captured_at: float) -> Detections:
        """Track ``detections`` of ``camera_id``'s frame captured at ``captured_at``."""
        now = self._clock()
        entry = self._trackers.pop(camera_id, None)
        tracker = entry[0] if entry is not None else CameraTracker(self._settings)
        self._trackers[camera_id] = (tracker, now)  # most recently used last
        while len(self._trackers) > self._settings.max_cameras:
            self._trackers.popitem(last=False)
        return tracker.update(detections, captured_at)

    def evict_idle(self, now: float | None = None) -> list[str]:
        """Drop cameras quiet for ``camera_idle_s``; their ids."""
        moment = self._clock() if now is None else now
        dropped: list[str] = []
        while self._trackers:
            camera_id, (_, last) = next(iter(self._trackers.items()))
            if moment - last < self._settings.camera_idle_s:
                break
            del self._trackers[camera_id]
            dropped.append(camera_id)
        return dropped

    def drop(self, camera_ids: Iterable[str]) -> None:
        """Forget these cameras (their frames now go to another worker)."""
        for camera_id in camera_ids:
            self._trackers.pop(camera_id, None)
