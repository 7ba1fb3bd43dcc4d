"""The one clock of dispatch: an injected callable returning an aware UTC datetime."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns "now" as an aware datetime; tests inject a settable one."""


def system_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def from_epoch(seconds: float) -> datetime:
    """Epoch seconds (as messages carry them) as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def to_epoch(moment: datetime) -> float:
    """An aware datetime as epoch seconds."""
    return moment.timestamp()
