"""The life of one incident in one zone: open when enough objects have dwelt, update sparingly, end when the
zone has been clear for ``clear_s``, then cool down. Muted zones and cooling-down zones open nothing.

The incident id is a function of (camera, zone, rule, start time): a frame processed twice from the same
state yields the same id, so a redelivered frame cannot mint a second incident for one episode.
"""

from __future__ import annotations

import hashlib
import re

from gridwatch.messages.incidents import Incident, Lifecycle
from streams.rules.state import Episode, ZoneRuleState
from streams.rules.zones import Offender, ZoneRuleSpec

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:@-]{0,127}$")


def incident_id(spec: ZoneRuleSpec, started_at: float) -> str:
    """``camera.zone.code.start-ms``, or a digest of it where that would not be a valid id."""
    readable = f"{spec.camera_id}.{spec.zone_id}.{spec.class_code.value}.{round(started_at * 1000)}"
    if _ID_PATTERN.match(readable):
        return readable
    return "inc-" + hashlib.sha256(readable.encode("utf-8")).hexdigest()[:32]


def advance(
    spec: ZoneRuleSpec,
    state: ZoneRuleState,
    now: float,
    present: bool,
    offenders: list[Offender],
    evidence_url: str | None,
    update_interval_s: float,
    max_boxes: int,
) -> list[Incident]:
    """The transitions of one zone rule after a sample at ``now``; updates ``state`` in place."""
    episode = state.episode
    rule = spec.rule
    if episode is None:
        if spec.muted or now < state.cooldown_until or len(offenders) < rule.min_count:
            return []
        origin = min(candidate.first_seen for candidate, _dwell in offenders)
        episode = Episode(incident_id(spec, now), now, origin, 1, now, now, len(offenders))
        state.episode = episode
        return [_message(spec, episode, Lifecycle.NEW, now, offenders, evidence_url, max_boxes)]
    if present:
        episode.last_present = now
    elif now - episode.last_present >= rule.clear_s:
        return [close(spec, state, now, evidence_url)]
    else:
        return []  # clearing: wait for clear_s or for the objects to come back
    if len(offenders) != episode.count or now - episode.last_update >= update_interval_s:
        episode.revision += 1
        episode.count = len(offenders)
        episode.last_update = now
        return [_message(spec, episode, Lifecycle.UPDATE, now, offenders, evidence_url, max_boxes)]
    return []


def close(spec: ZoneRuleSpec, state: ZoneRuleState, now: float, evidence_url: str | None) -> Incident:
    """End the open episode at ``now`` and start the cooldown."""
    episode = state.episode
    assert episode is not None
    episode.revision += 1
    state.episode = None
    state.cooldown_until = now + spec.rule.cooldown_s
    return Incident(
        incident_id=episode.incident_id,
        lifecycle=Lifecycle.END,
        revision=episode.revision,
        camera_id=spec.camera_id,
        zone_id=spec.zone_id,
        micro_grid_id=spec.micro_grid_id,
        rule=spec.kind,
        class_code=spec.class_code,
        started_at=episode.started_at,
        observed_at=now,
        ended_at=now,
        dwell_s=max(0.0, episode.last_present - episode.origin),
        object_count=0,
        boxes=(),
        evidence_url=evidence_url,
    )


def _message(
    spec: ZoneRuleSpec,
    episode: Episode,
    lifecycle: Lifecycle,
    now: float,
    offenders: list[Offender],
    evidence_url: str | None,
    max_boxes: int,
) -> Incident:
    boxes = tuple(tuple(round(v, 1) for v in candidate.box) for candidate, _dwell in offenders[:max_boxes])
    return Incident(
        incident_id=episode.incident_id,
        lifecycle=lifecycle,
        revision=episode.revision,
        camera_id=spec.camera_id,
        zone_id=spec.zone_id,
        micro_grid_id=spec.micro_grid_id,
        rule=spec.kind,
        class_code=spec.class_code,
        started_at=episode.started_at,
        observed_at=now,
        dwell_s=max(0.0, now - episode.origin),
        object_count=len(offenders),
        boxes=boxes,  # 4-tuples, validated by the model
        evidence_url=evidence_url,
    )
