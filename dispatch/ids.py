"""Fresh ids for cases, history events and photos: short, URL-safe, sortable by creation time."""

from __future__ import annotations

import secrets
from datetime import datetime


def _stamped(prefix: str, at: datetime, random_hex: int) -> str:
    return f"{prefix}{at:%Y%m%d%H%M%S}-{secrets.token_hex(random_hex)}"


def new_case_id(at: datetime) -> str:
    """A case id such as ``c20261123093000-1a2b3c4d`` (filing time in UTC, then randomness)."""
    return _stamped("c", at, 4)


def new_event_id(at: datetime) -> str:
    """A history event id (consumers of gw.case-events deduplicate on it)."""
    return _stamped("e", at, 6)


def new_photo_id(at: datetime) -> str:
    """A photo id."""
    return _stamped("p", at, 6)
