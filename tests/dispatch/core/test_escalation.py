"""Time limits in working hours: reminders, escalation to the leader and the line department, on an injected
clock moved across working hours, the lunch break, a weekend and the National Day holidays."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dispatch.domain import commands as c
from dispatch.persistence.case_tables import CaseTimerRecord
from tests.dispatch.core.flows import LEADER, WORKER, accept, actor, file_case
from tests.dispatch.core.harness import Harness, HarnessFactory, local


@pytest.mark.parametrize(
    ("dispatched", "accept_due", "handle_due", "quiet_until"),
    [
        # Monday morning: 0.5 h and 2 h straight on
        ("2026-11-23 09:00", "2026-11-23 09:30", "2026-11-23 11:00", "2026-11-23 09:29"),
        # across the lunch break (12:00-13:30)
        ("2026-11-23 11:45", "2026-11-23 13:45", "2026-11-23 15:15", "2026-11-23 13:44"),
        # Friday late afternoon: over the weekend to Monday
        ("2026-11-27 17:15", "2026-11-30 08:45", "2026-11-30 10:15", "2026-11-30 08:44"),
        # the eve of National Day: 10-01, 10-02, 10-05..07 are holidays, then the weekend between
        ("2026-09-30 17:15", "2026-10-08 08:45", "2026-10-08 10:15", "2026-10-08 08:44"),
        # dispatched before office hours: the clock starts at 08:30
        ("2026-11-23 08:10", "2026-11-23 09:00", "2026-11-23 10:30", "2026-11-23 08:59"),
    ],
)
def test_deadlines_count_working_hours_and_escalate_only_when_due(
    new_harness: HarnessFactory, dispatched: str, accept_due: str, handle_due: str, quiet_until: str
) -> None:
    h = new_harness(local(dispatched))
    case_id = file_case(h)
    case = h.case(case_id)
    assert case.assignee_id is not None
    first = case.assignee_id
    assert (case.accept_due_at, case.handle_due_at) == (local(accept_due), local(handle_due))

    h.clock.set(local(quiet_until))
    h.tick()
    assert h.case(case_id).assignee_id == first
    assert "escalated" not in h.kinds(case_id)

    h.clock.set(local(accept_due))
    h.tick()
    after = h.case(case_id)
    assert after.assignee_id == h.site.leader_of("mg-xq-01").id
    assert after.assignee_level is not None and after.assignee_level.value == "leader"
    assert h.kinds(case_id).count("escalated") == 1


def test_not_accepted_goes_to_the_leader_then_the_department(harness: Harness) -> None:
    case_id = file_case(harness)  # Monday 09:00 to the worker
    harness.clock.set(local("2026-11-23 09:31"))
    harness.tick()
    assert harness.case(case_id).assignee_id == LEADER
    assert harness.notifier.kinds_for(LEADER) == ["escalated"]

    harness.clock.set(local("2026-11-23 10:02"))  # the leader had 0.5 h as well
    harness.tick()
    case = harness.case(case_id)
    assert (case.assignee_level.value if case.assignee_level else None, case.department_id) == (
        "department",
        "chengguan",
    )
    assert case.assignee_id in {"p-037", "p-038"}
    assert harness.notifier.kinds_for(case.assignee_id) == ["escalated"]
    # the handling deadline stays the one set at dispatch
    assert case.handle_due_at == local("2026-11-23 11:00")

    harness.clock.set(local("2026-11-23 12:00"))
    harness.tick()
    assert harness.kinds(case_id).count("escalated") == 2  # already at the top: nothing more


def test_accepted_but_not_handled_is_reminded_then_goes_to_the_department(harness: Harness) -> None:
    case_id = file_case(harness)
    accept(harness, case_id)

    harness.clock.set(local("2026-11-23 09:45"))
    harness.tick()
    assert harness.kinds(case_id).count("escalated") == 0  # accepted: the accept deadline does nothing

    harness.clock.set(local("2026-11-23 10:30"))  # 0.5 h before the 11:00 handling deadline
    harness.tick()
    assert harness.notifier.kinds_for(WORKER) == ["new_task", "reminder"]
    assert "reminded" in harness.kinds(case_id)

    harness.clock.set(local("2026-11-23 11:00"))
    harness.tick()
    case = harness.case(case_id)
    assert case.department_id == "chengguan"
    assert case.state.value == "dispatched"  # the department must accept it in turn


def test_handled_in_time_stops_every_timer(harness: Harness) -> None:
    from tests.dispatch.core.flows import handle

    case_id = file_case(harness)
    accept(harness, case_id)
    handle(harness, case_id)
    harness.clock.set(local("2026-11-24 12:00"))
    harness.tick()
    assert harness.case(case_id).state.value == "handled"
    assert not {"escalated", "reminded"} & set(harness.kinds(case_id))
    with Session(harness.engine) as session:
        timers = session.scalars(select(CaseTimerRecord).where(CaseTimerRecord.case_id == case_id)).all()
        assert all(t.fired_at is not None for t in timers)
        assert {t.outcome for t in timers} == {"nothing: the case is handled"}


def test_escalation_by_hand_goes_one_level_up(harness: Harness) -> None:
    case_id = file_case(harness)
    harness.core.bus.handle(c.EscalateCase(case_id, actor(harness, WORKER), note="cannot move a locked bike"))
    case = harness.case(case_id)
    assert case.assignee_id == LEADER
    assert case.accept_due_at == local("2026-11-23 09:30")


def test_auto_close_after_verification(harness: Harness) -> None:
    from tests.dispatch.core.flows import to_state

    case_id = to_state(harness, "verified")  # 4 working hours from Monday 09:00 → 14:30
    harness.clock.set(local("2026-11-23 14:29"))
    harness.tick()
    assert harness.case(case_id).state.value == "verified"
    harness.clock.set(local("2026-11-23 14:30"))
    harness.tick()
    assert harness.case(case_id).state.value == "closed"


def _timers(engine: Engine) -> list[tuple[str, datetime, bool]]:
    with Session(engine) as session:
        rows = session.scalars(select(CaseTimerRecord).order_by(CaseTimerRecord.id)).all()
        return [(t.kind.value, t.due_at, t.fired_at is not None) for t in rows]


def test_timers_survive_a_restart_and_fire_once(migrated_engine: Engine, new_harness: HarnessFactory) -> None:
    first = new_harness(local("2026-11-23 09:00"))
    case_id = file_case(first)
    first.tick()
    assert _timers(migrated_engine) == [
        ("accept_due", local("2026-11-23 09:30"), False),
        ("handle_due", local("2026-11-23 11:00"), False),
        ("remind", local("2026-11-23 10:30"), False),
    ]

    # the process stops; a new one starts after the accept deadline passed
    first.stop()
    second = new_harness(local("2026-11-23 09:40"))
    second.tick()
    again = new_harness(local("2026-11-23 09:41"))  # and once more, while the second still runs
    again.tick()
    second.tick()

    assert second.case(case_id).assignee_id == LEADER
    assert second.kinds(case_id).count("escalated") == 1
    assert (second.notifier.kinds_for(LEADER), again.notifier.kinds_for(LEADER)) == (["escalated"], [])


@pytest.mark.parametrize(
    ("grid_limits", "accept_due", "handle_due", "remind_at"),
    [
        # the class's own limits (06: accept 0.5 h, handle 2 h)
        ([], "2026-11-23 09:30", "2026-11-23 11:00", None),
        # mg-xq-01's community allows 8 working hours to handle: 3 this morning, 4 this afternoon, 1 tomorrow
        ([{"grid": "COMMUNITY", "handle_within_h": 8}], "2026-11-23 09:30", "2026-11-24 09:30", None),
        # the micro-grid's own limits win over its community's, and its reminder applies (3 working hours
        # after 09:00 end at the lunch break: 12:00)
        (
            [
                {"grid": "COMMUNITY", "handle_within_h": 8},
                {"grid": "mg-xq-01", "accept_within_h": 1, "handle_within_h": 4, "remind_before_h": 1},
            ],
            "2026-11-23 10:00",
            "2026-11-23 14:30",
            "2026-11-23 12:00",
        ),
    ],
)
def test_deadlines_follow_the_time_limits_of_the_cases_grid(
    new_harness: HarnessFactory,
    grid_limits: list[dict[str, object]],
    accept_due: str,
    handle_due: str,
    remind_at: str | None,
) -> None:
    from gridwatch.config import SiteConfig, load_site
    from tests.dispatch.core.harness import EXAMPLE_SITE

    example = load_site(EXAMPLE_SITE)
    community = example.community_of("mg-xq-01").id
    data = example.model_dump(mode="json")
    for event_class in data["event_classes"]:
        if event_class["code"] == "06":
            event_class["grid_limits"] = [
                {**limits, "grid": community if limits["grid"] == "COMMUNITY" else limits["grid"]}
                for limits in grid_limits
            ]
            event_class["remind_before_h"] = 0
    site = SiteConfig.model_validate(data)
    h = new_harness(local("2026-11-23 09:00"), site=site)
    case = h.case(file_case(h))
    assert (case.accept_due_at, case.handle_due_at) == (local(accept_due), local(handle_due))
    with Session(h.engine) as session:
        reminders = session.scalars(
            select(CaseTimerRecord.due_at).where(
                CaseTimerRecord.case_id == case.id, CaseTimerRecord.kind == "remind"
            )
        ).all()
    assert list(reminders) == ([local(remind_at)] if remind_at else [])
