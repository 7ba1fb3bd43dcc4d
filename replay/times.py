"""Times in replay inputs: seconds from the start of the footage, or absolute ISO 8601 times with a zone."""

from __future__ import annotations

from datetime import datetime


def parse_iso(text: str) -> float:
    """Epoch seconds of an ISO 8601 time that names its timezone; ValueError otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no timezone (write e.g. 2026-03-01T08:00:00+08:00)")
    return moment.timestamp()


def parse_time(value: object) -> tuple[float, bool]:
    """``(value, absolute)``: a number (or numeric text) is seconds from the footage start (absolute False);
    text that is an ISO 8601 time with a timezone is epoch seconds (absolute True)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a time")
    if isinstance(value, int | float):
        return float(value), False
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("the time is empty")
        try:
            return float(text), False
        except ValueError:
            return parse_iso(text), True
    raise ValueError(f"{value!r} is neither seconds from the footage start nor an ISO 8601 time")


_DURATION_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str) -> float:
    """Seconds of a duration such as ``90``, ``90s``, ``15m``, ``1h`` or ``1h30m``; ValueError otherwise."""
    value = text.strip().lower()
    if not value:
        raise ValueError("the duration is empty")
    try:
        seconds = float(value)
    except ValueError:
        seconds, number = 0.0, ""
        for char in value:
            if char.isdigit() or char == ".":
                number += char
            elif char in _DURATION_UNITS and number:
                seconds += float(number) * _DURATION_UNITS[char]
                number = ""
            else:
                raise ValueError(f"{text!r} is not a duration (write e.g. 90s, 15m, 1h30m)") from None
        if number:
            raise ValueError(f"{text!r} is not a duration: {number} has no unit (s, m or h)") from None
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds
