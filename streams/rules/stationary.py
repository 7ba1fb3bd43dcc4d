"""Stationary candidates: objects matched across samples by where they stand, robust to missed detections
and track-id switches, with the time they stopped and a movement test.

A candidate keeps its ``first_seen`` while it is missed (occluded, not detected) so that timers survive a
lost track; it is forgotten after ``forget_after_s`` without a match (no leak on a 24/7 stream). A candidate
whose bottom-centre drifts away from where it stopped is re-anchored there with a fresh ``first_seen``:
something wheeled or carried through the zone never accumulates dwell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from streams.rules.geometry import BoxXYXY, bottom_centre, iou
from streams.rules.state import Candidate


@dataclass(frozen=True, slots=True)
class Matching:
    """How candidates are matched and kept."""

    match_iou: float
    move_tolerance: float
    inertia: int
    forget_after_s: float


def track(
    candidates: Sequence[Candidate], boxes: Sequence[BoxXYXY], now: float, how: Matching
) -> list[Candidate]:
    """The candidates after one sample with ``boxes`` (the objects of interest inside the zone) at ``now``."""
    pairs = sorted(
        (
            (overlap, ci, bi)
            for ci, candidate in enumerate(candidates)
            for bi, box in enumerate(boxes)
            if (overlap := iou(candidate.box, box)) >= how.match_iou
        ),
        reverse=True,
    )
    matched_candidates: set[int] = set()
    matched_boxes: set[int] = set()
    for _overlap, ci, bi in pairs:
        if ci in matched_candidates or bi in matched_boxes:
            continue
        matched_candidates.add(ci)
        matched_boxes.add(bi)
        _follow(candidates[ci], boxes[bi], now, how.move_tolerance)
    kept: list[Candidate] = []
    for ci, candidate in enumerate(candidates):
        if ci not in matched_candidates:
            candidate.missed += 1
            unconfirmed_gone = not candidate.confirmed(how.inertia) and candidate.missed >= how.inertia
            if unconfirmed_gone or now - candidate.last_seen > how.forget_after_s:
                continue
        kept.append(candidate)
    kept.extend(_new(box, now) for bi, box in enumerate(boxes) if bi not in matched_boxes)
    return kept


def _follow(candidate: Candidate, box: BoxXYXY, now: float, move_tolerance: float) -> None:
    x, y = bottom_centre(box)
    candidate.box = box
    candidate.last_seen = now
    candidate.seen += 1
    candidate.missed = 0
    if math.hypot(x - candidate.anchor_x, y - candidate.anchor_y) > move_tolerance * candidate.anchor_h:
        candidate.anchor_x, candidate.anchor_y, candidate.anchor_h = x, y, max(box[3] - box[1], 1.0)
        candidate.first_seen = now


def _new(box: BoxXYXY, now: float) -> Candidate:
    x, y = bottom_centre(box)
    return Candidate(box, x, y, max(box[3] - box[1], 1.0), now, now, 1, 0)
