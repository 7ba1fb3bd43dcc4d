"""Labelled examples from people's decisions on cases (see :mod:`dispatch.persistence.label_tables`).

A decision that says what the camera saw (rejecting a false alarm, "nothing there" from the assignee,
verifying a case by hand or by the camera) writes one example in its own transaction: the clean frame of the
case's latest sighting (the snapshot's ``.raw.jpg``, :mod:`gridwatch.evidence_frames`) and its boxes. A case
gives one example, its first; a case whose incident never had boxes (or whose camera left the site) gives
none. Nothing here reads or copies images: export does (``gridwatch labels export``).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from dispatch.domain.actors import Actor
from dispatch.domain.states import Action
from dispatch.persistence.case_tables import CaseRecord
from dispatch.persistence.label_tables import LabelRecord, LabelSource, Polarity
from dispatch.unit_of_work import UnitOfWork
from gridwatch.evidence_frames import raw_frame_of

log = logging.getLogger(__name__)

LABEL_OF_ACTION: dict[Action, tuple[Polarity, LabelSource]] = {
    Action.REJECT: (Polarity.NEGATIVE, LabelSource.REJECTED),
    Action.NOTHING_THERE: (Polarity.NEGATIVE, LabelSource.NOTHING_THERE),
    Action.VERIFY: (Polarity.POSITIVE, LabelSource.VERIFIED),
}
"""The decisions that label a case, and how."""


def label_decision(uow: UnitOfWork, case: CaseRecord, action: Action, actor: Actor) -> LabelRecord | None:
    """Add the example that ``action`` on ``case`` makes, if it makes one and the case has none yet."""
    kind = LABEL_OF_ACTION.get(action)
    if kind is None:
        return None
    boxes = case.sighting_boxes or []
    if not boxes:
        return None  # nothing was ever boxed: nothing to learn from
    uow.session.flush()
    if uow.session.scalar(select(LabelRecord.id).where(LabelRecord.case_id == case.id)) is not None:
        return None  # one example per case: its first decision
    try:
        camera = uow.site.camera(case.camera_id)
    except KeyError:
        log.warning("case %s: camera %s left the site; no labelled example", case.id, case.camera_id)
        return None
    polarity, source = kind
    snapshot = case.sighting_evidence_url
    label = LabelRecord(
        case_id=case.id,
        site_id=case.site_id,
        polarity=polarity,
        source=source,
        rule=case.rule,
        class_code=case.class_code,
        camera_id=case.camera_id,
        zone_id=case.zone_id,
        model_id=case.model_id,
        frame_url=None if snapshot is None else raw_frame_of(snapshot),
        evidence_url=snapshot,
        boxes=[list(box) for box in boxes],
        frame_width=camera.width,
        frame_height=camera.height,
        captured_at=case.sighting_at or case.incident_observed_at,
        dwell_s=case.dwell_s,
        labelled_at=uow.now,
        actor=actor.id,
    )
    uow.session.add(label)
    return label
