"""Epoch capture times for live streams: stream seconds (PTS x time_base) anchored to the wall clock."""

from __future__ import annotations

from collections.abc import Callable

WallClock = Callable[[], float]


class LiveClock:
    """Maps a live stream's own seconds to epoch seconds.

    The first frame after (re)connecting anchors stream time to the wall clock; later frames keep the stream's
    spacing, so the sampling tick follows the camera's timestamps rather than our reading jitter. When the two
    drift further apart than ``max_drift_s`` (a PTS jump, a camera clock reset, a reader that fell behind),
    the clock re-anchors at that frame. A frame never gets a time in the future: when frames that were
    buffered at connect arrive in a burst, the anchor moves to the latest of them.
    """

    def __init__(self, wall: WallClock, *, max_drift_s: float) -> None:
        if max_drift_s <= 0:
            raise ValueError(f"max_drift_s must be positive, got {max_drift_s}")
        self._wall = wall
        self._max_drift_s = max_drift_s
        self._anchor: tuple[float, float] | None = None
        self.reanchors = 0

    def reset(self) -> None:
        """Forget the anchor (call on reconnect: a new session restarts its timestamps)."""
        self._anchor = None

    def epoch(self, stream_ts: float) -> float:
        """Epoch seconds of the frame at ``stream_ts``."""
        now = self._wall()
        if self._anchor is None:
            self._anchor = (now, stream_ts)
            return now
        anchor_wall, anchor_stream = self._anchor
        at = anchor_wall + (stream_ts - anchor_stream)
        if now < at <= now + self._max_drift_s:
            # frames buffered while the stream was probed arrive in a burst: no frame is from the future
            self._anchor = (now, stream_ts)
            return now
        if abs(at - now) > self._max_drift_s:
            self._anchor = (now, stream_ts)
            self.reanchors += 1
            return now
        return at
