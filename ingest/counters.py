"""Per-camera frame counters, shared by the camera's thread and the publisher's delivery callbacks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from gridwatch.messages import CameraCounters


class Outcome(StrEnum):
    """What happened to a frame; one counter each."""

    SAMPLED = "sampled"
    PUBLISHED = "published"
    SKIPPED_BY_GATE = "skipped_by_gate"
    DROPPED = "dropped"
    BAD_FRAMES = "bad_frames"


#: Called with (camera id, outcome, amount) on every increment, e.g. to feed Prometheus.
CounterListener = Callable[[str, Outcome, int], None]


@dataclass
class Counters:
    """Cumulative counts of one camera since its worker started."""

    camera_id: str
    listener: CounterListener | None = None
    _values: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome, amount: int = 1) -> None:
        """Count ``amount`` more frames with ``outcome``."""
        with self._lock:
            self._values[outcome] += amount
        if self.listener is not None:
            self.listener(self.camera_id, outcome, amount)

    def __getitem__(self, outcome: Outcome) -> int:
        with self._lock:
            return self._values[outcome]

    def snapshot(self) -> CameraCounters:
        """The counts as the camera-status message carries them."""
        with self._lock:
            values = dict(self._values)
        return CameraCounters(**{outcome.value: count for outcome, count in values.items()})
