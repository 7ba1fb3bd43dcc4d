"""Steps the handlers share: move a case by the transition table, assign it, set timers, owe a push."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select

from dispatch.domain.actors import Actor
from dispatch.domain.states import Action, CaseState, target_of, transition
from dispatch.history import JsonScalar, record
from dispatch.labels import label_decision
from dispatch.permissions import require_allowed
from dispatch.persistence.case_tables import (
    CaseRecord,
    CaseTimerRecord,
    DeliveryRecord,
    DeliveryStatus,
    EscalationLevelValue,
    TimerKind,
)
from dispatch.routing import Assignment, last_level
from dispatch.unit_of_work import UnitOfWork
from gridwatch.config import EscalationLevel, EventClass, TimeLimits
from gridwatch.messages import CaseEventKind


def event_class_of(uow: UnitOfWork, case: CaseRecord) -> EventClass:
    """The configured class of a case."""
    return uow.site.event_class(case.class_code)


def apply(
    uow: UnitOfWork,
    case: CaseRecord,
    action: Action,
    actor: Actor,
    *,
    note: str | None = None,
    data: Mapping[str, JsonScalar] | None = None,
    photo_ids: Sequence[str] = (),
    also_tell: Sequence[str | None] = (),
    kind: CaseEventKind | None = None,
    check_permission: bool = True,
) -> CaseState:
    """Move ``case`` by ``action`` (or raise IllegalTransitionError / NotAllowedError); record it."""
    if check_permission:
        require_allowed(actor, action, case)
    before = case.state
    after = target_of(action, before)
    case.state = after
    case.updated_at = uow.now
    record(
        uow,
        case,
        kind or transition(action, before).event,
        actor.id,
        from_state=before.value,
        to_state=after.value,
        note=note,
        data=data,
        photo_ids=photo_ids,
        also_tell=also_tell,
    )
    label_decision(uow, case, action, actor)
    return after


def assign(
    uow: UnitOfWork,
    case: CaseRecord,
    assignment: Assignment,
    action: Action,
    actor: Actor,
    *,
    note: str | None = None,
    push_kind: str,
) -> None:
    """Give ``case`` to ``assignment.person`` (state dispatched), set its timers, and owe them a push."""
    previous = case.assignee_id
    event_class = event_class_of(uow, case)
    case.assignment_seq += 1
    case.assignee_id = assignment.person.id
    case.assignee_level = EscalationLevelValue(assignment.level.value)
    if assignment.department_id is not None:
        case.department_id = assignment.department_id
    if case.dispatched_at is None:
        case.dispatched_at = uow.now
    limits = uow.site.time_limits(event_class, case.micro_grid_id)
    if case.handle_due_at is None:
        case.handle_due_at = uow.site.deadline(uow.now, limits.handle_within_h)
    case.accept_due_at = uow.site.deadline(uow.now, limits.accept_within_h)
    apply(
        uow,
        case,
        action,
        actor,
        note=note,
        data={
            "assignee_id": assignment.person.id,
            "assignee_level": assignment.level.value,
            "department_id": assignment.department_id,
            "reason": assignment.reason,
            "accept_due_at": case.accept_due_at.isoformat(),
            "handle_due_at": case.handle_due_at.isoformat(),
            "previous_assignee_id": previous,
        },
        also_tell=(previous,),
        check_permission=False,
    )
    _set_assignment_timers(uow, case, event_class, limits, assignment.level)
    owe_push(uow, case, assignment.person.id, push_kind, note)


def _set_assignment_timers(
    uow: UnitOfWork, case: CaseRecord, event_class: EventClass, limits: TimeLimits, level: EscalationLevel
) -> None:
    assert case.accept_due_at is not None and case.handle_due_at is not None
    set_timer(uow, case, TimerKind.ACCEPT_DUE, case.accept_due_at)
    if level is not last_level(event_class) and case.handle_due_at > uow.now:
        set_timer(uow, case, TimerKind.HANDLE_DUE, case.handle_due_at)
    if limits.remind_before_h > 0 and case.dispatched_at is not None:
        remind_at = uow.site.deadline(case.dispatched_at, limits.handle_within_h - limits.remind_before_h)
        if remind_at > uow.now:
            set_timer(uow, case, TimerKind.REMIND, remind_at)


def set_timer(uow: UnitOfWork, case: CaseRecord, kind: TimerKind, due_at: datetime) -> None:
    """Persist a timer for the case's current assignment; a fired one of the same kind is armed again."""
    existing = uow.session.scalars(
        select(CaseTimerRecord).where(
            CaseTimerRecord.case_id == case.id,
            CaseTimerRecord.kind == kind,
            CaseTimerRecord.assignment_seq == case.assignment_seq,
        )
    ).first()
    if existing is None:
        uow.session.add(
            CaseTimerRecord(case_id=case.id, kind=kind, assignment_seq=case.assignment_seq, due_at=due_at)
        )
    elif existing.fired_at is not None:
        existing.due_at, existing.fired_at, existing.outcome = due_at, None, None


def owe_push(uow: UnitOfWork, case: CaseRecord, recipient_id: str, kind: str, note: str | None) -> None:
    """Owe ``recipient_id`` one push of ``kind`` about ``case``: sent after the commit by the delivery worker.

    The dedupe key names the case, kind, recipient, assignment and rework round, so the same cause never
    pushes twice (however often the message that caused it is redelivered).
    """
    key = f"{case.id}:{kind}:{recipient_id}:{case.assignment_seq}:{case.rework_count}"
    exists = uow.session.scalar(select(DeliveryRecord.id).where(DeliveryRecord.dedupe_key == key))
    if exists is None:
        uow.session.add(
            DeliveryRecord(
                dedupe_key=key,
                case_id=case.id,
                recipient_id=recipient_id,
                kind=kind,
                note=note,
                status=DeliveryStatus.PENDING,
                created_at=uow.now,
            )
        )
