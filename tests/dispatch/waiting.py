"""Waiting in tests on a condition with a deadline (never a sleep standing in for "long enough")."""

from __future__ import annotations

import time
from collections.abc import Callable

DEADLINE_S = 30.0
"""Default deadline: conditions that hold in milliseconds; the bound only catches what never happens."""


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = DEADLINE_S) -> None:
    """Return once ``condition()`` holds; :class:`AssertionError` naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)
