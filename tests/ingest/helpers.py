"""Shared test helpers for ingest: camera configs, collecting outlets, scripted sources."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from gridwatch.config import Camera
from gridwatch.messages import CameraState, CameraStatus, Frame, SourceKind
from ingest.sources.base import Capture, Image


def make_camera(camera_id: str = "cam-1", *, source: dict[str, Any] | None = None, **fields: Any) -> Camera:
    """A valid camera config; ``fields`` override the defaults (sample_fps 1, 320x240, a file source)."""
    document: dict[str, Any] = {
        "id": camera_id,
        "name": "test camera",
        "micro_grid": "mg-1",
        "location": {"lat": 30.0, "lon": 120.0},
        "resolution": [320, 240],
        "sample_fps": 1.0,
        "source": source or {"kind": "file", "path": "clip.mp4", "realtime": False},
    }
    document.update(fields)
    return Camera.model_validate(document)


class CollectingOutlet:
    """An outlet that keeps every frame and status (thread-safe)."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.statuses: list[CameraStatus] = []
        self._lock = threading.Lock()

    def send_frame(self, frame: Frame) -> None:
        with self._lock:
            self.frames.append(frame)

    def send_status(self, status: CameraStatus) -> None:
        with self._lock:
            self.statuses.append(status)

    def states(self) -> list[tuple[CameraState, str]]:
        with self._lock:
            return [(s.status, s.reason) for s in self.statuses]


class Outlets:
    """An OutletProvider that hands out collecting outlets."""

    def __init__(self) -> None:
        self.by_camera: dict[str, CollectingOutlet] = {}

    def outlet(self, camera_id: str, counters: object) -> CollectingOutlet:
        outlet = CollectingOutlet()
        self.by_camera[camera_id] = outlet
        return outlet


def solid(width: int = 320, height: int = 240, value: int = 100) -> Image:
    """A uniform BGR image."""
    return np.full((height, width, 3), value, np.uint8)


class ScriptedSource:
    """A source that yields prepared captures, then raises the given error (or blocks until stopped)."""

    kind = SourceKind.FILE
    description = "scripted"

    def __init__(
        self,
        captures: list[Capture],
        *,
        then: BaseException | None = None,
        block: threading.Event | None = None,
        open_errors: list[BaseException] | None = None,
    ) -> None:
        self._captures = captures
        self._then = then
        self._block = block
        self._open_errors = list(open_errors or [])
        self.opens = 0
        self.closes = 0

    def open(self) -> None:
        self.opens += 1
        if self._open_errors:
            raise self._open_errors.pop(0)

    def captures(self) -> Iterator[Capture]:
        yield from self._captures
        if self._block is not None:
            self._block.wait()
        if self._then is not None:
            raise self._then

    def close(self) -> None:
        self.closes += 1


def capture_of(image: Image, at: float) -> Capture:
    """A good capture of ``image`` at stream and epoch time ``at``."""
    return Capture(stream_ts=at, captured_at=at, load=lambda _side: image)


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str, interval_s: float = 0.05) -> None:
    """Poll ``condition`` until true; AssertionError naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
