"""Stationary candidates: objects followed across samples by where they stand and how they look, robust to
missed detections, with the evidence of their stationary stretch and a movement test.

A sample's detection continues a candidate when their boxes overlap (IoU) and, where both carry a colour
signature, they look alike: a different bike parked in the same spot, or the next passer-by pushing one
through it, starts a candidate of its own. A candidate without a detection on a sample still has evidence
when static foreground (pixels that stopped changing) covers it: a parked object the model sees only now
and then is still there. ``presence`` (samples with evidence / samples since it stopped) is what dwell is
weighed by, so sightings scattered over a minute never add up to a parked object. A candidate is forgotten
after ``forget_after_s`` without evidence (no leak on a 24/7 stream); one whose bottom-centre drifts away
from where it stopped is re-anchored there with a fresh stretch: something wheeled or carried through the
zone never accumulates dwell. A candidate started by a model-free box that says how long it had already
stood (static foreground: ``stood_s``) begins its stationary stretch that much earlier, never before
``earliest``: the signal watched it stand while it was too little changed to be reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gridwatch.detections import Detections, look_similarity
from streams.rules.geometry import BoxXYXY, bottom_centre, covered, iou
from streams.rules.state import Candidate

#: Weight of a new sighting in a candidate's running colour signature.
LOOK_UPDATE = 0.2


@dataclass(frozen=True, slots=True)
class Matching:
    """How candidates are matched and kept."""

    match_iou: float
    move_tolerance: float
    inertia: int
    forget_after_s: float
    same_look: float = 0.0  # least colour similarity of one object's sightings; 0: position only
    static_cover: float = 0.5  # share of a candidate's box static foreground must cover to count as evidence
    occluded_cover: float = 0.3  # share of a candidate's box a passer-by must cover to hide it


def track(
    candidates: Sequence[Candidate],
    found: Detections,
    now: float,
    how: Matching,
    static: Detections | None = None,
    occluders: Detections | None = None,
    earliest: float = 0.0,
) -> list[Candidate]:
    """The candidates after one sample at ``now`` with ``found`` (the objects of interest in the zone), the
    frame's static-foreground boxes ``static`` (evidence for candidates no detection continues) and the boxes
    that may hide a candidate, ``occluders`` (people walking past: a sample where one covers a candidate that
    nothing else shows says nothing about it either way). A new candidate's stretch starts at ``now`` minus
    its box's ``stood_s``, but not before ``earliest``."""
    boxes = found.boxes()
    stood = found.stood.tolist()
    looks = [_look_of(found.looks, index) for index in range(len(boxes))]
    pairs = sorted(
        (
            (overlap, ci, bi)
            for ci, candidate in enumerate(candidates)
            if now - candidate.last_seen <= how.forget_after_s  # gone that long: what comes is new
            for bi, box in enumerate(boxes)
            if (overlap := iou(candidate.box, box)) >= how.match_iou
            and _alike(candidate.look, looks[bi], how.same_look)
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
        _follow(candidates[ci], boxes[bi], looks[bi], now, how.move_tolerance)
    blobs = [] if static is None else static.boxes()
    hiding = [] if occluders is None else occluders.boxes()
    kept: list[Candidate] = []
    for ci, candidate in enumerate(candidates):
        if ci not in matched_candidates:
            if covered(candidate.box, blobs, how.static_cover):
                candidate.samples += 1
                candidate.support += 1
                candidate.missed = 0
                candidate.last_seen = now
            elif covered(candidate.box, hiding, how.occluded_cover):
                # Hidden this time: neither evidence nor absence (but forgotten when hidden too long).
                if now - candidate.last_seen > how.forget_after_s:
                    continue
            else:
                candidate.samples += 1
                candidate.missed += 1
                unconfirmed_gone = not candidate.confirmed(how.inertia) and candidate.missed >= how.inertia
                if unconfirmed_gone or now - candidate.last_seen > how.forget_after_s:
                    continue
        kept.append(candidate)
    kept.extend(
        _new(boxes[bi], looks[bi], now, max(min(now, earliest), now - stood[bi]))
        for bi in range(len(boxes))
        if bi not in matched_boxes
    )
    return kept


def _look_of(looks: NDArray[np.uint8], index: int) -> tuple[int, ...]:
    row = tuple(int(v) for v in looks[index].tolist()) if looks.shape[1] else ()
    return row if any(row) else ()


def _alike(known: tuple[int, ...], look: tuple[int, ...], least: float) -> bool:
    if least <= 0 or not known or not look:
        return True
    similarity = look_similarity(known, look)
    return similarity is None or similarity >= least


def _follow(
    candidate: Candidate, box: BoxXYXY, look: tuple[int, ...], now: float, move_tolerance: float
) -> None:
    x, y = bottom_centre(box)
    candidate.box = box
    candidate.last_seen = now
    candidate.seen += 1
    candidate.missed = 0
    candidate.samples += 1
    candidate.support += 1
    if look:
        candidate.look = (
            look
            if not candidate.look
            else tuple(round(a + LOOK_UPDATE * (b - a)) for a, b in zip(candidate.look, look, strict=True))
        )
    if math.hypot(x - candidate.anchor_x, y - candidate.anchor_y) > move_tolerance * candidate.anchor_h:
        candidate.anchor_x, candidate.anchor_y, candidate.anchor_h = x, y, max(box[3] - box[1], 1.0)
        candidate.first_seen = now
        candidate.samples = candidate.support = 1


def _new(box: BoxXYXY, look: tuple[int, ...], now: float, since: float) -> Candidate:
    x, y = bottom_centre(box)
    return Candidate(box, x, y, max(box[3] - box[1], 1.0), since, now, 1, 0, 1, 1, look)
