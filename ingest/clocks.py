"""The clocks and sleeper a camera runs on, injected so that behaviour is testable."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Clocks:
    """Wall clock (epoch seconds), monotonic clock, a stoppable sleep and the randomness for jitter."""

    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    stop: threading.Event = field(default_factory=threading.Event)
    rng: random.Random = field(default_factory=random.Random)

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` or until ``stop`` is set, whichever comes first."""
        if seconds > 0:
            self.stop.wait(seconds)
