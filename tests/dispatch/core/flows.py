"""Drive a case through the workflow with commands, as the people of the example site would."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.domain import commands as c
from dispatch.domain.actors import Actor
from dispatch.persistence.case_tables import PhotoRecord
from tests.dispatch.core.harness import Harness, incident

WORKER = "p-002"  # mg-xq-01, on duty 08:00-18:00
LEADER = "p-001"  # mg-xq-01
OPERATOR = "p-041"
OTHER_WORKER = "p-004"  # mg-xq-02
OTHER_LEADER = "p-003"  # mg-xq-02
DEPARTMENT = "p-037"  # chengguan


def actor(h: Harness, person_id: str) -> Actor:
    return Actor(h.site.person(person_id))


def file_case(h: Harness, incident_id: str = "inc-1", **kwargs: object) -> str:
    h.core.bus.handle(c.ReceiveIncident(incident(incident_id, **kwargs)))  # type: ignore[arg-type]
    return h.case_of(incident_id).id


def add_photo(h: Harness, case_id: str, photo_id: str = "ph-1", by: str = WORKER) -> str:
    with Session(h.engine) as session, session.begin():
        session.add(
            PhotoRecord(
                id=photo_id,
                case_id=case_id,
                uploaded_by=by,
                uploaded_at=h.clock(),
                path=f"{case_id}/{photo_id}.jpg",
                sha256="0" * 64,
                size_bytes=1,
                content_type="image/jpeg",
                width=1,
                height=1,
            )
        )
    return photo_id


def accept(h: Harness, case_id: str, by: str = WORKER) -> None:
    h.core.bus.handle(c.AcceptCase(case_id, actor(h, by)))


def handle(h: Harness, case_id: str, by: str = WORKER, photo: str = "ph-1") -> None:
    add_photo(h, case_id, photo, by)
    h.core.bus.handle(c.HandleCase(case_id, actor(h, by), note="moved the bikes", photo_ids=(photo,)))


def to_state(h: Harness, state: str) -> str:
    """A fresh case (class 06, auto-dispatched to the worker) brought to ``state``."""
    if state == "filed":
        return file_case(h, zone_id="z-shopfront", rule="storefront_trading")  # class 04 waits for review
    case_id = file_case(h)
    if state == "dispatched":
        return case_id
    if state == "rejected":
        h.core.bus.handle(c.RejectCase(case_id, actor(h, OPERATOR), reason="a parked delivery van"))
        return case_id
    accept(h, case_id)
    if state == "accepted":
        return case_id
    handle(h, case_id)
    if state == "handled":
        return case_id
    if state == "returned":
        h.core.bus.handle(c.ReturnCase(case_id, actor(h, LEADER), note="still there"))
        return case_id
    h.core.bus.handle(c.VerifyCase(case_id, actor(h, LEADER)))
    if state == "verified":
        return case_id
    if state == "rated":
        h.core.bus.handle(c.RateCase(case_id, actor(h, LEADER), score=4))
        return case_id
    h.core.bus.handle(c.CloseCase(case_id, actor(h, LEADER)))
    assert state == "closed", state
    return case_id
