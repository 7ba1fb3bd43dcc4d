"""Incidents become cases: one case and one push per incident, however often a message comes."""

from __future__ import annotations

import pytest

from dispatch.domain.commands import ReceiveIncident
from dispatch.domain.errors import InvalidCommandError
from dispatch.handlers.incidents import IncidentOutcome
from gridwatch.messages import Incident
from tests.dispatch.core.harness import Harness, incident, local


def receive(h: Harness, message: Incident) -> IncidentOutcome:
    outcome = h.core.bus.handle(ReceiveIncident(message))
    assert isinstance(outcome, IncidentOutcome)
    return outcome


def test_new_incident_files_and_dispatches_a_case_to_the_worker_on_duty(harness: Harness) -> None:
    assert receive(harness, incident()) is IncidentOutcome.FILED
    harness.tick()

    case = harness.case_of("inc-1")
    assert (case.state.value, case.assignee_id, case.class_code) == ("dispatched", "p-002", "06")
    assert (case.camera_id, case.micro_grid_id, case.community_id) == ("cam-0001", "mg-xq-01", "cg-xinqiao")
    assert case.place == "人民路与学府路交叉口东北角 / 东侧人行道及盲道"
    assert (case.object_count, case.evidence_url) == (3, "http://evidence.example/inc-1.jpg")
    assert harness.kinds(case.id) == ["filed", "dispatched", "delivered"]
    assert [(n.recipient_id, str(n.kind)) for n in harness.notifier.sent] == [("p-002", "new_task")]
    # 0.5 working hours to accept, 2 to handle, from 09:00 Monday
    assert case.accept_due_at == local("2026-11-23 09:30")
    assert case.handle_due_at == local("2026-11-23 11:00")


@pytest.mark.parametrize("copies", [2, 5])
def test_redelivered_new_message_files_one_case_and_one_push(harness: Harness, copies: int) -> None:
    outcomes = [receive(harness, incident()) for _ in range(copies)]
    harness.tick()
    harness.tick()

    assert outcomes == [IncidentOutcome.FILED] + [IncidentOutcome.DUPLICATE] * (copies - 1)
    assert len(harness.cases()) == 1
    assert len(harness.notifier.sent) == 1


def test_replayed_whole_episode_changes_nothing_the_second_time(harness: Harness) -> None:
    episode = [
        incident(),
        incident(lifecycle="update", revision=2, observed_at=local("2026-11-23 09:05"), object_count=4),
        incident(lifecycle="update", revision=3, observed_at=local("2026-11-23 09:10"), object_count=5),
    ]
    for message in episode:
        receive(harness, message)
    harness.tick()
    before = harness.history(harness.case_of("inc-1").id)

    replay = [receive(harness, message) for message in episode]
    harness.tick()

    assert replay == [IncidentOutcome.DUPLICATE] * 3
    case = harness.case_of("inc-1")
    assert (case.incident_revision, case.object_count) == (3, 5)
    assert harness.history(case.id) == before
    assert len(harness.notifier.sent) == 1


def test_update_refreshes_the_case_evidence_and_counts(harness: Harness) -> None:
    receive(harness, incident())
    outcome = receive(
        harness,
        incident(
            lifecycle="update",
            revision=2,
            observed_at=local("2026-11-23 09:20"),
            object_count=6,
            evidence_url="http://evidence.example/inc-1-r2.jpg",
        ),
    )
    case = harness.case_of("inc-1")
    assert outcome is IncidentOutcome.REFRESHED
    assert (case.object_count, case.evidence_url, case.incident_revision) == (
        6,
        "http://evidence.example/inc-1-r2.jpg",
        2,
    )
    assert case.first_evidence_url == "http://evidence.example/inc-1.jpg"
    assert case.dwell_s == pytest.approx(600 + 30 * 60)


def test_out_of_order_older_revision_is_ignored(harness: Harness) -> None:
    receive(harness, incident())
    receive(harness, incident(lifecycle="update", revision=3, object_count=7))
    assert (
        receive(harness, incident(lifecycle="update", revision=2, object_count=1))
        is IncidentOutcome.DUPLICATE
    )
    assert harness.case_of("inc-1").object_count == 7


def test_operator_review_class_waits_for_an_operator(harness: Harness) -> None:
    receive(harness, incident("inc-shop", zone_id="z-shopfront", rule="storefront_trading"))
    harness.tick()
    case = harness.case_of("inc-shop")
    assert (case.state.value, case.assignee_id) == ("filed", None)
    assert harness.notifier.sent == []


@pytest.mark.parametrize(
    ("rule", "zone", "expected_state", "expected_outcome"),
    [
        ("ebike_parking", "z-sidewalk", "closed", IncidentOutcome.RESOLVED),  # 06: close
        ("storefront_trading", "z-shopfront", "filed", IncidentOutcome.END_NOTED),  # 04: keep
    ],
)
def test_end_before_handling_follows_the_class_policy(
    harness: Harness, rule: str, zone: str, expected_state: str, expected_outcome: IncidentOutcome
) -> None:
    receive(harness, incident(rule=rule, zone_id=zone))
    outcome = receive(
        harness,
        incident(rule=rule, zone_id=zone, lifecycle="end", revision=2, observed_at=local("2026-11-23 09:15")),
    )
    case = harness.case_of("inc-1")
    assert outcome is expected_outcome
    assert case.state.value == expected_state
    assert case.incident_ended_at == local("2026-11-23 09:15")
    if expected_state == "closed":
        assert case.resolution is not None and case.resolution.value == "self_resolved"
        assert harness.kinds(case.id)[-1] == "closed"
    else:
        assert harness.kinds(case.id)[-1] == "checked"


def test_first_message_seen_is_an_end_files_a_case_closed_as_self_resolved(harness: Harness) -> None:
    receive(harness, incident(lifecycle="end", revision=4, observed_at=local("2026-11-23 09:15")))
    harness.tick()
    case = harness.case_of("inc-1")
    assert case.state.value == "closed"
    assert harness.notifier.sent == []


def test_unknown_camera_is_refused_with_its_name(harness: Harness) -> None:
    with pytest.raises(InvalidCommandError, match="camera cam-9999 is not in the site configuration"):
        receive(harness, incident(camera_id="cam-9999"))
    assert harness.cases() == []


def test_no_worker_on_duty_goes_to_the_leader(harness: Harness) -> None:
    harness.clock.set(local("2026-11-23 19:00"))  # mg-xq-01's only worker is on 08:00-18:00
    receive(harness, incident())
    assert harness.case_of("inc-1").assignee_id == "p-001"


def test_several_on_duty_are_load_balanced(harness: Harness) -> None:
    harness.clock.set(local("2026-11-23 18:30"))  # mg-qh-01: p-011 (17:30-21:00) and p-012 (18:00-02:00)
    for n in range(4):
        receive(harness, incident(f"inc-{n}", camera_id="cam-0013", zone_id="z-1", micro_grid_id="mg-qh-01"))
    assignees = sorted(c.assignee_id or "" for c in harness.cases())
    assert assignees == ["p-011", "p-011", "p-012", "p-012"]


def test_every_change_is_published_to_case_events(harness: Harness) -> None:
    receive(harness, incident())
    harness.tick()
    case = harness.case_of("inc-1")
    published = [(e.case_id, e.kind.value, e.incident_id) for e in harness.publisher.events]
    assert published == [(case.id, k, "inc-1") for k in ("filed", "dispatched", "delivered")]
    assert len({e.event_id for e in harness.publisher.events}) == 3


def test_events_recorded_while_the_broker_is_down_are_published_later(harness: Harness) -> None:
    harness.publisher.broken = True
    receive(harness, incident())
    assert harness.publisher.events == []
    harness.publisher.broken = False
    harness.tick()
    assert [e.kind.value for e in harness.publisher.events] == ["filed", "dispatched", "delivered"]
