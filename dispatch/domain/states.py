"""Case states, the actions that move a case, and the one transition table between them.

The workflow follows CJJ/T 106: filed (案卷建立, waiting for an operator when the class asks for
review) → dispatched (任务派遣) → accepted → handled (处理反馈, photo + note) → verified (核查) or
returned for rework → rated (综合评价) → closed. A case may also be rejected (false alarm), transferred
or escalated (both put it back to ``dispatched`` with a new assignee), resolved by itself (the incident
ended before anyone handled it and the class says close), and reopened after verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gridwatch.messages import CaseEventKind


class CaseState(StrEnum):
    """Where a case stands."""

    FILED = "filed"  # 案卷建立: waiting for an operator to confirm or reject it
    DISPATCHED = "dispatched"  # 任务派遣: sent to an assignee who has not accepted it yet
    ACCEPTED = "accepted"  # the assignee took it
    HANDLED = "handled"  # 处理反馈: reported done with a photo and a note; waiting for verification
    RETURNED = "returned"  # sent back for rework (the camera still sees the problem, or a leader said so)
    VERIFIED = "verified"  # 核查: checked done, by the camera or a leader
    RATED = "rated"  # 综合评价: rated by the leader
    CLOSED = "closed"  # 结案
    REJECTED = "rejected"  # a false alarm; kept to measure detector precision


OPEN_STATES: frozenset[CaseState] = frozenset(
    {CaseState.FILED, CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.HANDLED, CaseState.RETURNED}
)
"""States in which someone still has to do something before the case is verified."""

WAITING_FOR_ASSIGNEE: frozenset[CaseState] = frozenset(
    {CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.RETURNED}
)
"""States in which the assignee owes work: timers, reminders and escalation apply only here."""

FINAL_STATES: frozenset[CaseState] = frozenset({CaseState.CLOSED, CaseState.REJECTED})


class Action(StrEnum):
    """What someone (or the system) does to a case; the verb used in error messages."""

    DISPATCH = "dispatch"
    CONFIRM = "confirm"
    REJECT = "reject"
    NOTHING_THERE = "report nothing at"  # the assignee on the spot found nothing: a false alarm
    ACCEPT = "accept"
    HANDLE = "handle"
    VERIFY = "verify"
    RETURN = "return"
    RATE = "rate"
    CLOSE = "close"
    RESOLVE = "resolve"  # the incident ended by itself before handling, and the class says close
    REOPEN = "reopen"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    REMIND = "remind"
    NOTE_END = "note the end of"  # the incident ended before handling, and the class says keep


class Resolution(StrEnum):
    """How a closed or rejected case ended."""

    HANDLED = "handled"  # handled by people and verified
    SELF_RESOLVED = "self_resolved"  # the problem went away before anyone handled it
    FALSE_ALARM = "false_alarm"  # rejected by an operator or leader, or nothing there for the assignee


@dataclass(frozen=True)
class Transition:
    """An action allowed from some states, the state it leads to (None: stays), the event it records."""

    action: Action
    sources: frozenset[CaseState]
    target: CaseState | None
    event: CaseEventKind


def _t(action: Action, sources: set[CaseState], target: CaseState | None, event: CaseEventKind) -> Transition:
    return Transition(action, frozenset(sources), target, event)


S = CaseState
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.DISPATCH, {S.FILED}, S.DISPATCHED, CaseEventKind.DISPATCHED),
        _t(Action.CONFIRM, {S.FILED}, None, CaseEventKind.CHECKED),  # then DISPATCH
        _t(Action.REJECT, {S.FILED, S.DISPATCHED, S.ACCEPTED}, S.REJECTED, CaseEventKind.REJECTED),
        _t(Action.NOTHING_THERE, {S.DISPATCHED, S.ACCEPTED}, S.REJECTED, CaseEventKind.REJECTED),
        _t(Action.ACCEPT, {S.DISPATCHED}, S.ACCEPTED, CaseEventKind.ACCEPTED),
        _t(Action.HANDLE, {S.ACCEPTED, S.RETURNED}, S.HANDLED, CaseEventKind.HANDLED),
        _t(Action.VERIFY, {S.HANDLED}, S.VERIFIED, CaseEventKind.VERIFIED),
        _t(Action.RETURN, {S.HANDLED}, S.RETURNED, CaseEventKind.RETURNED),
        _t(Action.RATE, {S.VERIFIED, S.RATED, S.CLOSED}, S.RATED, CaseEventKind.RATED),
        _t(Action.CLOSE, {S.VERIFIED, S.RATED}, S.CLOSED, CaseEventKind.CLOSED),
        _t(
            Action.RESOLVE,
            {S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED},
            S.CLOSED,
            CaseEventKind.CLOSED,
        ),
        _t(Action.REOPEN, {S.VERIFIED, S.RATED, S.CLOSED}, S.RETURNED, CaseEventKind.REOPENED),
        _t(Action.TRANSFER, set(WAITING_FOR_ASSIGNEE), S.DISPATCHED, CaseEventKind.TRANSFERRED),
        _t(Action.ESCALATE, set(WAITING_FOR_ASSIGNEE), S.DISPATCHED, CaseEventKind.ESCALATED),
        _t(Action.REMIND, set(WAITING_FOR_ASSIGNEE), None, CaseEventKind.REMINDED),
        _t(
            Action.NOTE_END,
            {S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED},
            None,
            CaseEventKind.CHECKED,
        ),
    )
}
"""Every legal move. Rating a closed case records the rating and keeps it closed (see :func:`target_of`)."""


class IllegalTransitionError(Exception):
    """An action the case's state does not allow: "cannot <action> a case that is <state>"."""

    def __init__(self, action: Action, state: CaseState) -> None:
        self.action = action
        self.state = state
        super().__init__(f"cannot {action.value} a case that is {state.value}")


def transition(action: Action, state: CaseState) -> Transition:
    """The transition ``action`` takes from ``state``; :class:`IllegalTransitionError` when none."""
    allowed = TRANSITIONS[action]
    if state not in allowed.sources:
        raise IllegalTransitionError(action, state)
    return allowed


def target_of(action: Action, state: CaseState) -> CaseState:
    """The state after ``action`` from ``state`` (raises :class:`IllegalTransitionError`)."""
    moved = transition(action, state)
    if moved.target is None:
        return state
    if action is Action.RATE and state is CaseState.CLOSED:
        return CaseState.CLOSED  # a late (resident) rating does not reopen the case
    return moved.target
