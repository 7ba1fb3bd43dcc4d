"""Handler of a due timer: escalate a case not accepted or not handled in time, remind, or close.

A timer acts only if it still applies: it was set for the case's current assignment (``assignment_seq``)
and the case is still in a state it concerns. Either way it is marked fired, with what it did, in the same
transaction as its effect, so that a restarted scheduler never fires it twice.
"""

from __future__ import annotations

from sqlalchemy import update

from dispatch.domain.actors import SYSTEM
from dispatch.domain.commands import FireTimer
from dispatch.domain.errors import ConflictError
from dispatch.domain.states import WAITING_FOR_ASSIGNEE, Action, CaseState
from dispatch.handlers.steps import apply, event_class_of, owe_push
from dispatch.handlers.workflow import auto_close, escalate
from dispatch.persistence.case_tables import CaseRecord, CaseTimerRecord, EscalationLevelValue, TimerKind
from dispatch.routing import last_level, next_level
from dispatch.unit_of_work import UnitOfWork
from gridwatch.config import EscalationLevel


def fire_timer(command: FireTimer, uow: UnitOfWork) -> str:
    """Act on one due timer and mark it fired; returns what it did (also stored as its outcome)."""
    timer = uow.session.get(CaseTimerRecord, command.timer_id)
    if timer is None or timer.fired_at is not None:
        return "already fired"
    case = uow.case(timer.case_id)
    if timer.assignment_seq != case.assignment_seq and timer.kind is not TimerKind.AUTO_CLOSE:
        outcome = f"stale: the case was reassigned (assignment {case.assignment_seq})"
    else:
        outcome = _act(uow, case, timer)
    claimed = uow.session.execute(
        update(CaseTimerRecord)
        .where(CaseTimerRecord.id == timer.id, CaseTimerRecord.fired_at.is_(None))
        .values(fired_at=uow.now, outcome=outcome[:200])
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 1) != 1:
        uow.rollback()
        return "already fired"
    uow.commit()
    return outcome


def _level(case: CaseRecord) -> EscalationLevel:
    return EscalationLevel((case.assignee_level or EscalationLevelValue.WORKER).value)


def _act(uow: UnitOfWork, case: CaseRecord, timer: CaseTimerRecord) -> str:
    event_class = event_class_of(uow, case)
    local_due = timer.due_at.astimezone(uow.site.site.tz).strftime("%Y-%m-%d %H:%M")
    if timer.kind is TimerKind.AUTO_CLOSE:
        if case.state not in (CaseState.VERIFIED, CaseState.RATED):
            return f"nothing: the case is {case.state.value}"
        auto_close(uow, case)
        return "closed"
    if case.state not in WAITING_FOR_ASSIGNEE:
        return f"nothing: the case is {case.state.value}"
    if timer.kind is TimerKind.ACCEPT_DUE:
        if case.state is not CaseState.DISPATCHED:
            return f"nothing: the case is {case.state.value}"
        target = next_level(event_class, _level(case))
        if target is None:
            return "overdue: not accepted in time, and no level above"
        return _escalate(uow, case, target, f"not accepted by {case.assignee_id} in time (due {local_due})")
    if timer.kind is TimerKind.HANDLE_DUE:
        target = last_level(event_class)
        if _level(case) is target:
            return "overdue: not handled in time, already at the last level"
        return _escalate(uow, case, target, f"not handled in time (处置时限 {local_due})")
    # TimerKind.REMIND
    note = (
        f"handling deadline {case.handle_due_at.astimezone(uow.site.site.tz):%Y-%m-%d %H:%M}"
        if (case.handle_due_at is not None)
        else "handling deadline near"
    )
    apply(uow, case, Action.REMIND, SYSTEM, note=note, data={"assignee_id": case.assignee_id})
    if case.assignee_id is not None:
        owe_push(uow, case, case.assignee_id, "reminder", note)
    return f"reminded {case.assignee_id}"


def _escalate(uow: UnitOfWork, case: CaseRecord, level: EscalationLevel, note: str) -> str:
    try:
        escalate(uow, case, level, SYSTEM, note)
    except ConflictError as error:
        return f"cannot escalate: {error}"[:200]
    return f"escalated to {level.value} {case.assignee_id}"
