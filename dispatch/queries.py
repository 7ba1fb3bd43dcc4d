"""Read side: which cases a person may list, and a case with its history, photos, ratings and pushes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session

from dispatch.domain.states import OPEN_STATES, WAITING_FOR_ASSIGNEE, CaseState
from dispatch.persistence.case_tables import (
    CaseHistoryRecord,
    CaseRecord,
    DeliveryRecord,
    PhotoRecord,
    RatingRecord,
)
from gridwatch.config import Person, Role


def visible_to(person: Person) -> ColumnElement[bool]:
    """The SQL condition for the cases ``person`` may see (mirrors :func:`dispatch.permissions.can_see`)."""
    if person.role is Role.OPERATOR:
        return true()
    if person.role is Role.LEADER:
        return or_(CaseRecord.micro_grid_id == person.grid, CaseRecord.assignee_id == person.id)
    if person.role is Role.DEPARTMENT:
        if person.department is None:
            return false()
        return CaseRecord.department_id == person.department
    return or_(CaseRecord.assignee_id == person.id, CaseRecord.handled_by == person.id)


def list_cases(
    session: Session,
    person: Person,
    *,
    states: Sequence[CaseState] = (),
    micro_grid_id: str | None = None,
    class_code: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CaseRecord]:
    """Cases ``person`` may see, newest first, filtered."""
    query: Select[CaseRecord] = select(CaseRecord).where(visible_to(person))
    if states:
        query = query.where(CaseRecord.state.in_(states))
    if micro_grid_id is not None:
        query = query.where(CaseRecord.micro_grid_id == micro_grid_id)
    if class_code is not None:
        query = query.where(CaseRecord.class_code == class_code)
    query = query.order_by(CaseRecord.filed_at.desc(), CaseRecord.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def my_tasks(session: Session, person: Person) -> list[CaseRecord]:
    """Tasks waiting for ``person`` (dispatched, accepted or returned to them), and the ones they handled
    that wait for verification, oldest deadline first."""
    query = (
        select(CaseRecord)
        .where(CaseRecord.assignee_id == person.id, CaseRecord.state.in_(OPEN_STATES))
        .order_by(CaseRecord.handle_due_at, CaseRecord.filed_at)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class CaseBundle:
    """A case and everything recorded about it."""

    case: CaseRecord
    history: list[CaseHistoryRecord]
    photos: list[PhotoRecord]
    ratings: list[RatingRecord]
    deliveries: list[DeliveryRecord]


def case_bundle(session: Session, case: CaseRecord) -> CaseBundle:
    """The case with its history, photos, ratings and deliveries, in order."""
    history = session.scalars(
        select(CaseHistoryRecord).where(CaseHistoryRecord.case_id == case.id).order_by(CaseHistoryRecord.seq)
    ).all()
    photos = session.scalars(
        select(PhotoRecord).where(PhotoRecord.case_id == case.id).order_by(PhotoRecord.uploaded_at)
    ).all()
    ratings = session.scalars(
        select(RatingRecord).where(RatingRecord.case_id == case.id).order_by(RatingRecord.id)
    ).all()
    deliveries = session.scalars(
        select(DeliveryRecord).where(DeliveryRecord.case_id == case.id).order_by(DeliveryRecord.id)
    ).all()
    return CaseBundle(case, list(history), list(photos), list(ratings), list(deliveries))


def is_waiting_for(case: CaseRecord, person_id: str) -> bool:
    """Whether ``person_id`` owes work on ``case`` now."""
    return case.assignee_id == person_id and case.state in WAITING_FOR_ASSIGNEE
