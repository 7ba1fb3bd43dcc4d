"""Exponential backoff with jitter between reconnect attempts."""

from __future__ import annotations

import random

from ingest.settings import BackoffSettings


class Backoff:
    """Delays that grow by ``multiplier`` from ``initial_s`` up to ``max_s``.

    Each delay is scaled by a random factor in ``[1 - jitter, 1 + jitter]`` so that many cameras that failed
    together do not reconnect together.
    """

    def __init__(self, settings: BackoffSettings, rng: random.Random) -> None:
        self._settings = settings
        self._rng = rng
        self.failures = 0

    def next_delay(self) -> float:
        """The delay before the next attempt, counting one more failure."""
        s = self._settings
        base = min(s.max_s, s.initial_s * s.multiplier**self.failures)
        self.failures += 1
        factor = 1.0 + s.jitter * (2.0 * self._rng.random() - 1.0)
        return min(s.max_s * (1.0 + s.jitter), base * factor)

    def reset(self) -> None:
        """Forget past failures (after the source delivered a good frame)."""
        self.failures = 0
