"""Incidents against labels: precision, recall, F1, detection delay, false incidents per camera-hour.

An incident is one episode (all messages of one incident id): the interval from its ``new`` to its ``end``
(or to the end of the footage when it is still open). It matches a label when both are on the same camera,
zone and rule (class), their intervals overlap and, where the label says where its object is (a box or a
point), one of the incident's boxes overlaps that object (:func:`boxes_agree`). An incident that agrees in
everything but the place is *matched by time only*: it counts as false, and is reported apart (it found
something else in the zone at that time). Precision = incidents matching some label / incidents;
recall = labels matched by some incident / labels; F1 their harmonic mean; a ratio with nothing to count is
None. Delay of a matched label = start of the first incident matching it - label start. False incidents per
camera-hour = incidents matching no label / hours of footage replayed on the cameras concerned.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from gridwatch.messages import Incident, Lifecycle, RuleKind
from streams.rules.geometry import BoxXYXY, box_area, intersection_area

#: Share of the smaller of two boxes their intersection must cover for them to be the same object.
MIN_BOX_OVERLAP = 0.3
#: A point label is found by an incident box grown by this share of its size on each side.
POINT_MARGIN = 0.1


@dataclass(frozen=True, slots=True)
class Episode:
    """One incident from its first to its last message."""

    incident_id: str
    camera: str
    zone: str
    rule: RuleKind
    start: float
    end: float
    open_at_end: bool
    first_boxes: tuple[BoxXYXY, ...]
    dwell_s: float
    boxes: tuple[BoxXYXY, ...] = ()  # every box any message of the incident carried

    @property
    def all_boxes(self) -> tuple[BoxXYXY, ...]:
        """The boxes of every message (the first message's when only those are known)."""
        return self.boxes or self.first_boxes


@dataclass(frozen=True, slots=True)
class Truth:
    """A label resolved to epoch seconds."""

    camera: str
    zone: str
    rule: RuleKind
    start: float
    end: float
    origin: str = ""
    box: BoxXYXY | None = None  # the labelled object, camera native pixels
    point: tuple[float, float] | None = None


def episodes(incidents: Iterable[Incident], footage_end: dict[str, float]) -> list[Episode]:
    """One episode per incident id, in start order; open ones end at their camera's ``footage_end``."""
    first: dict[str, Incident] = {}
    last: dict[str, Incident] = {}
    boxes: dict[str, dict[BoxXYXY, None]] = {}
    for incident in incidents:
        first.setdefault(incident.incident_id, incident)
        last[incident.incident_id] = incident
        seen = boxes.setdefault(incident.incident_id, {})
        for b in incident.boxes:
            seen[(b[0], b[1], b[2], b[3])] = None
    out = []
    for incident_id, new in first.items():
        final = last[incident_id]
        ended = final.lifecycle is Lifecycle.END and final.ended_at is not None
        end = final.ended_at if ended and final.ended_at is not None else footage_end[new.camera_id]
        out.append(
            Episode(
                incident_id=incident_id,
                camera=new.camera_id,
                zone=new.zone_id,
                rule=new.rule,
                start=new.started_at,
                end=max(end, new.started_at),
                open_at_end=not ended,
                first_boxes=tuple((b[0], b[1], b[2], b[3]) for b in new.boxes),
                dwell_s=final.dwell_s,
                boxes=tuple(boxes[incident_id]),
            )
        )
    return sorted(out, key=lambda e: (e.start, e.camera, e.zone))


def same_time(episode: Episode, truth: Truth) -> bool:
    """Same camera, zone and rule, and the intervals share a moment."""
    return (
        episode.camera == truth.camera
        and episode.zone == truth.zone
        and episode.rule is truth.rule
        and episode.start <= truth.end
        and truth.start <= episode.end
    )


def box_overlap(a: BoxXYXY, b: BoxXYXY) -> float:
    """Intersection area over the smaller box's area (0 for disjoint or empty boxes)."""
    smaller = min(box_area(a), box_area(b))
    return intersection_area(a, b) / smaller if smaller > 0 else 0.0


def contains(box: BoxXYXY, point: tuple[float, float], margin: float = POINT_MARGIN) -> bool:
    """Whether ``point`` lies in ``box`` grown by ``margin`` of its size on each side."""
    dx, dy = (box[2] - box[0]) * margin, (box[3] - box[1]) * margin
    return box[0] - dx <= point[0] <= box[2] + dx and box[1] - dy <= point[1] <= box[3] + dy


def boxes_agree(episode: Episode, truth: Truth) -> bool:
    """Whether the incident is about the labelled object: always for a label without box or point; else
    one of the incident's boxes covers the labelled box by :data:`MIN_BOX_OVERLAP` (of the smaller of the
    two) or contains the labelled point. An incident that carried no box cannot agree with a placed label."""
    if truth.box is None and truth.point is None:
        return True
    for box in episode.all_boxes:
        if truth.box is not None and box_overlap(box, truth.box) >= MIN_BOX_OVERLAP:
            return True
        if truth.point is not None and contains(box, truth.point):
            return True
    return False


def overlaps(episode: Episode, truth: Truth) -> bool:
    """The incident matches the label: same camera, zone, rule and time, and (where the label has a box or
    a point) the same object."""
    return same_time(episode, truth) and boxes_agree(episode, truth)


def time_only(episode: Episode, truth: Truth) -> bool:
    """Same camera, zone, rule and time, but another object than the labelled one."""
    return same_time(episode, truth) and not boxes_agree(episode, truth)


def matched_by_time_only(episode: Episode, truths: Iterable[Truth]) -> bool:
    """The incident matches no label, yet some label of its zone and time (on another object)."""
    listed = list(truths)
    return not any(overlaps(episode, t) for t in listed) and any(time_only(episode, t) for t in listed)


@dataclass(frozen=True, slots=True)
class Scores:
    """The figures of one group of incidents and labels."""

    incidents: int
    labels: int
    true_incidents: int
    false_incidents: int
    matched_labels: int
    precision: float | None
    recall: float | None
    f1: float | None
    mean_delay_s: float | None
    delays_s: tuple[float, ...]
    camera_hours: float
    false_per_camera_hour: float | None
    time_only_incidents: int = 0  # false incidents that agree with a label in all but the place
    time_only_labels: int = 0  # unmatched labels that an incident met in time, on another object
    median_delay_s: float | None = None


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def score(episodes_: list[Episode], truths: list[Truth], camera_hours: float) -> Scores:
    """Scores of ``episodes_`` against ``truths`` over ``camera_hours`` of footage."""
    true_incidents = sum(1 for e in episodes_ if any(overlaps(e, t) for t in truths))
    time_only_incidents = sum(1 for e in episodes_ if matched_by_time_only(e, truths))
    delays = []
    time_only_labels = 0
    for truth in truths:
        hits = [e.start for e in episodes_ if overlaps(e, truth)]
        if hits:
            delays.append(min(hits) - truth.start)
        elif any(time_only(e, truth) for e in episodes_):
            time_only_labels += 1
    precision = _ratio(true_incidents, len(episodes_))
    recall = _ratio(len(delays), len(truths))
    f1 = None
    if precision is not None and recall is not None:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    false = len(episodes_) - true_incidents
    return Scores(
        incidents=len(episodes_),
        labels=len(truths),
        true_incidents=true_incidents,
        false_incidents=false,
        matched_labels=len(delays),
        precision=precision,
        recall=recall,
        f1=f1,
        mean_delay_s=sum(delays) / len(delays) if delays else None,
        delays_s=tuple(delays),
        camera_hours=camera_hours,
        false_per_camera_hour=None if camera_hours <= 0 else false / camera_hours,
        time_only_incidents=time_only_incidents,
        time_only_labels=time_only_labels,
        median_delay_s=statistics.median(delays) if delays else None,
    )


@dataclass
class Breakdown:
    """Scores overall, per rule and per zone (``camera/zone``)."""

    overall: Scores
    per_rule: dict[str, Scores] = field(default_factory=dict)
    per_zone: dict[str, Scores] = field(default_factory=dict)


def breakdown(
    episodes_: list[Episode],
    truths: list[Truth],
    seconds_per_camera: dict[str, float],
    zones: dict[str, list[tuple[str, RuleKind]]],
) -> Breakdown:
    """Scores per rule and per zone; ``zones`` lists each replayed camera's (zone, rule) pairs."""
    hours = {camera: seconds / 3600 for camera, seconds in seconds_per_camera.items()}
    result = Breakdown(overall=score(episodes_, truths, sum(hours.values())))
    rules = sorted({rule for pairs in zones.values() for _z, rule in pairs} | {t.rule for t in truths})
    for rule in rules:
        cameras = [c for c, pairs in zones.items() if any(r is rule for _z, r in pairs)]
        result.per_rule[rule.value] = score(
            [e for e in episodes_ if e.rule is rule],
            [t for t in truths if t.rule is rule],
            sum(hours.get(c, 0.0) for c in cameras),
        )
    for camera, pairs in sorted(zones.items()):
        for zone in sorted({z for z, _r in pairs}):
            result.per_zone[f"{camera}/{zone}"] = score(
                [e for e in episodes_ if e.camera == camera and e.zone == zone],
                [t for t in truths if t.camera == camera and t.zone == zone],
                hours.get(camera, 0.0),
            )
    return result
