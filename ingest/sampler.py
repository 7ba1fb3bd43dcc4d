"""Which frames of a stream to keep: one per sampling interval, measured in stream seconds."""

from __future__ import annotations

from collections import deque

#: Share of the interval a frame may come early and still take the tick (absorbs timestamp jitter).
EARLY_TOLERANCE = 0.05


class Sampler:
    """Keeps the first frame at or after each tick of ``interval_s`` stream seconds.

    Ticks stay on a regular grid while frames keep up, so 25 fps sampled at 1 fps gives exactly one frame per
    stream second; when frames come less often than the interval (key frames of a long GOP, a slow snapshot
    server) every frame is kept and :attr:`effective_interval_s` reports the real spacing. A timestamp that
    jumps backwards (a new session, a looped file) restarts the grid.
    """

    def __init__(self, interval_s: float, *, history: int = 8) -> None:
        if interval_s <= 0:
            raise ValueError(f"sampling interval must be positive, got {interval_s}")
        self.interval_s = interval_s
        self._tolerance = interval_s * EARLY_TOLERANCE
        self._next: float | None = None
        self._last: float | None = None
        self._kept: deque[float] = deque(maxlen=history)

    def reset(self) -> None:
        """Start a new grid at the next frame (after a reconnect)."""
        self._next = None
        self._last = None
        self._kept.clear()

    def due(self, stream_ts: float) -> bool:
        """Whether the frame at ``stream_ts`` is kept; keeping it moves the next tick on."""
        if self._next is None or self._last is None or stream_ts < self._last:
            if self._last is not None and stream_ts < self._last:
                self._kept.clear()
            self._keep(stream_ts, stream_ts + self.interval_s)
            return True
        if stream_ts < self._next - self._tolerance:
            return False
        following = self._next + self.interval_s
        self._keep(stream_ts, following if stream_ts < following else stream_ts + self.interval_s)
        return True

    def _keep(self, stream_ts: float, next_tick: float) -> None:
        self._last = stream_ts
        self._next = next_tick
        self._kept.append(stream_ts)

    @property
    def effective_interval_s(self) -> float | None:
        """Mean stream seconds between the recently kept frames, or None before two were kept."""
        if len(self._kept) < 2:
            return None
        return (self._kept[-1] - self._kept[0]) / (len(self._kept) - 1)
