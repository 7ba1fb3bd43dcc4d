"""Camera health: online, degraded (with its conditions), offline (with why) or finished (a finite source
read to its end), reported on change."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from gridwatch.messages import CameraState


@dataclass(frozen=True, slots=True)
class HealthState:
    """A camera's state and the reason for it (empty when online)."""

    status: CameraState
    reason: str


class CameraHealth:
    """The health of one camera, thread-safe.

    Offline until a good frame arrives; offline again with a reason whenever the source fails. While
    connected, named conditions (a long GOP, many bad frames, a stall) make it degraded; their reasons are
    joined in a stable order so that the reason only changes when a condition does. :meth:`take_change`
    returns the state when it differs from the last one taken, which is when a status message is due.
    """

    def __init__(self, initial_reason: str = "not connected yet") -> None:
        self._lock = threading.Lock()
        self._connected = False
        self._offline_reason = initial_reason
        self._conditions: dict[str, str] = {}
        self._reported: HealthState | None = None
        self._finished = False

    def offline(self, reason: str) -> None:
        """The source failed or is not connected; conditions of the lost session are forgotten."""
        with self._lock:
            self._connected = False
            self._finished = False
            self._offline_reason = reason
            self._conditions.clear()

    def online(self) -> None:
        """A good frame arrived."""
        with self._lock:
            self._connected = True
            self._finished = False

    def finished(self, reason: str) -> None:
        """A finite source was read to its end: nothing is wrong, and nothing more will come."""
        with self._lock:
            self._connected = False
            self._finished = True
            self._offline_reason = reason
            self._conditions.clear()

    def set_condition(self, name: str, reason: str | None) -> None:
        """Raise (with a reason) or clear (None) the degrading condition ``name``."""
        with self._lock:
            if reason is None:
                self._conditions.pop(name, None)
            else:
                self._conditions[name] = reason

    @property
    def connected(self) -> bool:
        """Whether frames are arriving."""
        with self._lock:
            return self._connected

    def current(self) -> HealthState:
        """The state now."""
        with self._lock:
            return self._current()

    def _current(self) -> HealthState:
        if not self._connected:
            state = CameraState.FINISHED if self._finished else CameraState.OFFLINE
            return HealthState(state, self._offline_reason)
        if self._conditions:
            reasons = "; ".join(self._conditions[name] for name in sorted(self._conditions))
            return HealthState(CameraState.DEGRADED, reasons)
        return HealthState(CameraState.ONLINE, "")

    def take_change(self) -> HealthState | None:
        """The state if it changed since the last call (or on the first call), else None."""
        with self._lock:
            state = self._current()
            if state == self._reported:
                return None
            self._reported = state
            return state


class BadFrameWindow:
    """Whether each of the last ``size`` frames was bad, to tell a bad stream from a bad frame."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"window size must be at least 1, got {size}")
        self._outcomes: deque[bool] = deque(maxlen=size)
        self.last_reason = ""

    def record(self, bad: bool, reason: str = "") -> None:
        """Note one frame; ``reason`` says why a bad one was bad."""
        self._outcomes.append(bad)
        if bad:
            self.last_reason = reason

    @property
    def share(self) -> float:
        """Share of bad frames in the window (0 when empty)."""
        return sum(self._outcomes) / len(self._outcomes) if self._outcomes else 0.0

    @property
    def counts(self) -> tuple[int, int]:
        """(bad, total) in the window."""
        return sum(self._outcomes), len(self._outcomes)

    def clear(self) -> None:
        """Forget the window (new session)."""
        self._outcomes.clear()
        self.last_reason = ""
