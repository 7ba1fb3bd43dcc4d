"""The case state machine: every action from every state, through the real handlers and database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dispatch.domain import commands as c
from dispatch.domain.states import TRANSITIONS, Action, CaseState, IllegalTransitionError, target_of
from tests.dispatch.core.flows import LEADER, OPERATOR, WORKER, actor, add_photo, handle, to_state
from tests.dispatch.core.harness import Harness

STATES = [s.value for s in CaseState]

# (state, action) -> the state after it; every pair not listed must be refused.
LEGAL: dict[tuple[str, str], str] = {
    ("filed", "confirm"): "dispatched",
    ("filed", "reject"): "rejected",
    ("dispatched", "reject"): "rejected",
    ("accepted", "reject"): "rejected",
    ("dispatched", "accept"): "accepted",
    ("accepted", "handle"): "handled",
    ("returned", "handle"): "handled",
    ("handled", "verify"): "verified",
    ("handled", "return"): "returned",
    ("verified", "rate"): "rated",
    ("rated", "rate"): "rated",
    ("closed", "rate"): "closed",
    ("verified", "close"): "closed",
    ("rated", "close"): "closed",
    ("verified", "reopen"): "returned",
    ("rated", "reopen"): "returned",
    ("closed", "reopen"): "returned",
    ("dispatched", "transfer"): "dispatched",
    ("accepted", "transfer"): "dispatched",
    ("returned", "transfer"): "dispatched",
    ("dispatched", "escalate"): "dispatched",
    ("accepted", "escalate"): "dispatched",
    ("returned", "escalate"): "dispatched",
}

Make = Callable[[Harness, str], c.Command]
# Each action as its command by the person entitled to it (the assignee for accept/handle).
COMMANDS: dict[str, Make] = {
    "confirm": lambda h, cid: c.ConfirmCase(cid, actor(h, OPERATOR)),
    "reject": lambda h, cid: c.RejectCase(cid, actor(h, OPERATOR), reason="false alarm"),
    "accept": lambda h, cid: c.AcceptCase(cid, actor(h, _assignee(h, cid))),
    "handle": lambda h, cid: c.HandleCase(
        cid,
        actor(h, _assignee(h, cid)),
        note="done",
        photo_ids=(add_photo(h, cid, "ph-x", _assignee(h, cid)),),
    ),
    "verify": lambda h, cid: c.VerifyCase(cid, actor(h, OPERATOR)),
    "return": lambda h, cid: c.ReturnCase(cid, actor(h, OPERATOR), note="still there"),
    "rate": lambda h, cid: c.RateCase(cid, actor(h, OPERATOR), score=5, comment="fast"),
    "close": lambda h, cid: c.CloseCase(cid, actor(h, OPERATOR)),
    "reopen": lambda h, cid: c.ReopenCase(cid, actor(h, OPERATOR), note="came back"),
    "transfer": lambda h, cid: c.TransferCase(cid, actor(h, OPERATOR), to_person_id="p-037"),
    "escalate": lambda h, cid: c.EscalateCase(cid, actor(h, OPERATOR)),
}


def _assignee(h: Harness, case_id: str) -> str:
    return h.case(case_id).assignee_id or OPERATOR  # no assignee: someone who sees it


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(COMMANDS))
def test_transition_table(harness: Harness, state: str, action: str) -> None:
    case_id = to_state(harness, state)
    assert harness.case(case_id).state.value == state
    command = COMMANDS[action](harness, case_id)
    expected = LEGAL.get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransitionError, match=f"^cannot {action} a case that is {state}$"):
            harness.core.bus.handle(command)
        assert harness.case(case_id).state.value == state
    else:
        history_before = len(harness.history(case_id))
        harness.core.bus.handle(command)
        assert harness.case(case_id).state.value == expected
        assert len(harness.history(case_id)) > history_before


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("action", list(Action))
def test_pure_table_agrees(state: CaseState, action: Action) -> None:
    """The domain table alone: what the handlers enforce comes from here."""
    if state in TRANSITIONS[action].sources:
        target_of(action, state)
    else:
        with pytest.raises(
            IllegalTransitionError, match=f"cannot {action.value} a case that is {state.value}"
        ):
            target_of(action, state)


def test_full_happy_path_history_names_who_when_what(harness: Harness) -> None:
    case_id = to_state(harness, "dispatched")
    harness.clock.advance(minutes=5)
    harness.core.bus.handle(c.AcceptCase(case_id, actor(harness, WORKER)))
    harness.clock.advance(minutes=20)
    handle(harness, case_id)
    harness.clock.advance(minutes=1)
    harness.core.bus.handle(c.VerifyCase(case_id, actor(harness, LEADER), note="checked on camera"))
    harness.core.bus.handle(c.RateCase(case_id, actor(harness, LEADER), score=5, comment="good"))
    harness.core.bus.handle(c.CloseCase(case_id, actor(harness, LEADER)))

    moves = [(kind, src, dst, who) for kind, src, dst, who in harness.history(case_id) if kind != "delivered"]
    assert moves == [
        ("filed", None, "filed", "system"),
        ("dispatched", "filed", "dispatched", "system"),
        ("accepted", "dispatched", "accepted", WORKER),
        ("handled", "accepted", "handled", WORKER),
        ("verified", "handled", "verified", LEADER),
        ("rated", "verified", "rated", LEADER),
        ("closed", "rated", "closed", LEADER),
    ]
    case = harness.case(case_id)
    assert case.resolution is not None and case.resolution.value == "handled"
    assert case.handled_note == "moved the bikes" and case.handled_by == WORKER
    assert case.closed_at == harness.clock()


def test_handle_without_a_photo_is_refused(harness: Harness) -> None:
    from dispatch.domain.errors import InvalidCommandError

    case_id = to_state(harness, "accepted")
    with pytest.raises(InvalidCommandError, match="at least one photo"):
        harness.core.bus.handle(c.HandleCase(case_id, actor(harness, WORKER), note="done", photo_ids=()))
    with pytest.raises(InvalidCommandError, match=r"photo\(s\) nope were not uploaded"):
        harness.core.bus.handle(
            c.HandleCase(case_id, actor(harness, WORKER), note="done", photo_ids=("nope",))
        )


def test_reject_keeps_the_case_as_a_false_alarm(harness: Harness) -> None:
    case_id = to_state(harness, "rejected")
    case = harness.case(case_id)
    assert case.resolution is not None and case.resolution.value == "false_alarm"
    assert harness.kinds(case_id)[-1] == "rejected"


def test_confirm_dispatches_an_operator_reviewed_case(harness: Harness) -> None:
    case_id = to_state(harness, "filed")
    harness.core.bus.handle(c.ConfirmCase(case_id, actor(harness, OPERATOR)))
    harness.tick()
    case = harness.case(case_id)
    assert (case.state.value, case.assignee_id) == ("dispatched", WORKER)
    assert harness.kinds(case_id) == ["filed", "checked", "dispatched", "delivered"]
