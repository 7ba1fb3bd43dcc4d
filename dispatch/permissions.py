"""Who may see a case and who may do what to it.

- operators see and may do everything but accept and handle (the assignee's acts);
- a leader (微网格长) sees the cases of their micro-grid and may verify, return, reject, transfer, escalate,
  close, reopen and rate them (and accept and handle the ones assigned to them);
- a department's staff see the cases that reached their department;
- a worker (微网格员) sees the tasks assigned to them (and the ones they handled), and changes only those
  (accept, handle, report nothing there, escalate);
- photos go to a case that is not final, from its assignee or a leader or operator who sees it.
The system (timers, the camera re-check) may do anything the state allows.
"""

from __future__ import annotations

from dispatch.domain.actors import Actor
from dispatch.domain.errors import CaseNotFoundError, NotAllowedError
from dispatch.domain.states import FINAL_STATES, Action
from dispatch.persistence.case_tables import CaseRecord
from gridwatch.config import Person, Role

_ASSIGNEE_ACTIONS = frozenset({Action.ACCEPT, Action.HANDLE, Action.NOTHING_THERE})
_SUPERVISOR_ACTIONS = frozenset(
    {
        Action.VERIFY,
        Action.RETURN,
        Action.REJECT,
        Action.TRANSFER,
        Action.ESCALATE,
        Action.CLOSE,
        Action.REOPEN,
        Action.RATE,
    }
)
_OPERATOR_ONLY = frozenset({Action.CONFIRM})


def can_see(person: Person, case: CaseRecord) -> bool:
    """Whether ``person`` may read ``case``."""
    if person.role is Role.OPERATOR:
        return True
    if person.role is Role.LEADER:
        return case.micro_grid_id == person.grid or case.assignee_id == person.id
    if person.role is Role.DEPARTMENT:
        return case.department_id is not None and case.department_id == person.department
    return person.id in (case.assignee_id, case.handled_by)


def require_visible(actor: Actor, case: CaseRecord) -> None:
    """Raise :class:`CaseNotFoundError` (as if it did not exist) when a person may not see ``case``."""
    if actor.person is not None and not can_see(actor.person, case):
        raise CaseNotFoundError(f"no case {case.id}")


def require_allowed(actor: Actor, action: Action, case: CaseRecord) -> None:
    """Raise :class:`CaseNotFoundError` or :class:`NotAllowedError` unless ``actor`` may do ``action``."""
    person = actor.person
    if person is None:
        return
    require_visible(actor, case)
    is_assignee = case.assignee_id == person.id
    if action in _ASSIGNEE_ACTIONS:
        if not is_assignee:
            raise NotAllowedError(f"only the assignee ({case.assignee_id}) may {action.value} case {case.id}")
        return
    if person.role is Role.OPERATOR:
        return
    if action in _OPERATOR_ONLY:
        raise NotAllowedError(f"only an operator may {action.value} case {case.id}")
    if action is Action.ESCALATE and is_assignee:
        return  # what the assignee cannot solve goes up
    if action in _SUPERVISOR_ACTIONS and person.role is Role.LEADER and case.micro_grid_id == person.grid:
        return
    raise NotAllowedError(
        f"a {person.role.value} may not {action.value} case {case.id}; "
        "ask the micro-grid leader or an operator"
    )


def require_may_add_photo(actor: Actor, case: CaseRecord) -> Person:
    """The person adding a photo to ``case``; :class:`CaseNotFoundError` when they may not see it,
    :class:`NotAllowedError` unless they are its assignee, a leader or an operator, or when it is final."""
    require_visible(actor, case)
    person = actor.person
    if person is None or (case.assignee_id != person.id and person.role not in (Role.LEADER, Role.OPERATOR)):
        raise NotAllowedError(f"only the assignee ({case.assignee_id}) may add photos to case {case.id}")
    if case.state in FINAL_STATES:
        raise NotAllowedError(f"case {case.id} is {case.state.value}; it takes no more photos")
    return person
