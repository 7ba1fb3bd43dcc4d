"""Which cameras a worker serves now: the ones with a recent frame, so per-camera state stays bounded."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable


class CameraActivity:
    """When each camera last sent a frame (the injected worker ``clock``), least recent first.

    The worker forgets a camera's per-camera state (static-foreground model) when :meth:`evict_idle` names it
    (no frame for ``idle_s``), when more than ``max_cameras`` are active (the longest quiet goes), or when its
    partition moved to another worker (:meth:`drop`).
    """

    def __init__(self, idle_s: float, max_cameras: int, clock: Callable[[], float]) -> None:
        self._idle_s = idle_s
        self._max_cameras = max_cameras
        self._clock = clock
        self._last: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._last)

    def __contains__(self, camera_id: object) -> bool:
        return camera_id in self._last

    def seen(self, camera_id: str) -> list[str]:
        """Record a frame of ``camera_id``; the cameras pushed out by ``max_cameras``."""
        self._last.pop(camera_id, None)
        self._last[camera_id] = self._clock()
        pushed: list[str] = []
        while len(self._last) > self._max_cameras:
            pushed.append(self._last.popitem(last=False)[0])
        return pushed

    def evict_idle(self) -> list[str]:
        """Forget the cameras without a frame for ``idle_s``; their ids."""
        now = self._clock()
        quiet: list[str] = []
        while self._last:
            camera_id, last = next(iter(self._last.items()))
            if now - last < self._idle_s:
                break
            del self._last[camera_id]
            quiet.append(camera_id)
        return quiet

    def drop(self, camera_ids: Iterable[str]) -> None:
        """Forget these cameras (their frames now go to another worker)."""
        for camera_id in camera_ids:
            self._last.pop(camera_id, None)
