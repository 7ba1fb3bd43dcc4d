"""Which followed objects have dwelt long enough."""

from __future__ import annotations

from collections.abc import Sequence

from streams.rules.state import Candidate
from streams.rules.zones import Offender


def dwelling(
    candidates: Sequence[Candidate], now: float, inertia: int, dwell_s: float, min_presence: float
) -> list[Offender]:
    """Candidates present now whose current stationary stretch is at least ``dwell_s`` long and who were
    there in at least ``min_presence`` of its samples."""
    return [
        (candidate, now - candidate.first_seen)
        for candidate in candidates
        if candidate.present(inertia)
        and now - candidate.first_seen >= dwell_s
        and candidate.presence >= min_presence
    ]
