"""A progress line on stderr for long work (detection over footage, sweeps)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

Clock = Callable[[], float]


class ProgressBar:
    """``label [#####-----] 12/40 3.2/s``, redrawn at most ``every_s`` seconds apart, on one line."""

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        stream: TextIO | None = None,
        clock: Clock = time.monotonic,
        every_s: float = 0.2,
        width: int = 30,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._clock = clock
        self._every_s = every_s
        self._width = width
        self._started = clock()
        self._drawn_at: float | None = None

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done; redraw when it is time."""
        self.done += count
        now = self._clock()
        if self._drawn_at is None or now - self._drawn_at >= self._every_s:
            self._draw(now)

    def reach(self, done: int, total: int | None) -> None:
        """Set the total and advance to ``done`` items (for work that reports ``(done, total)``)."""
        self.total = total
        self.advance(done - self.done)

    def line(self, now: float) -> str:
        """The progress line as it is drawn now."""
        elapsed = max(1e-9, now - self._started)
        rate = self.done / elapsed
        if self.total:
            filled = min(self._width, round(self._width * self.done / self.total))
            bar = "#" * filled + "-" * (self._width - filled)
            return f"{self.label} [{bar}] {self.done}/{self.total} {rate:.1f}/s"
        return f"{self.label} {self.done} {rate:.1f}/s"

    def _draw(self, now: float) -> None:
        self._drawn_at = now
        self._stream.write("\r" + self.line(now))
        self._stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the line."""
        self._draw(self._clock())
        self._stream.write("\n")
        self._stream.flush()


class NoProgress(ProgressBar):
    """A progress bar that draws nothing (tests, --quiet)."""

    def __init__(self) -> None:
        super().__init__("", None)

    def advance(self, count: int = 1) -> None:
        self.done += count

    def finish(self) -> None:
        return None
