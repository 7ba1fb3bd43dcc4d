"""Camera-verified closure: after handling, an end verifies the case; a later update returns it for rework."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dispatch.domain.commands import ReceiveIncident
from dispatch.domain.states import CaseState
from dispatch.verification import Verdict, camera_verdict
from gridwatch.config import EndBeforeHandling
from gridwatch.messages import Lifecycle
from tests.dispatch.core.flows import WORKER, to_state
from tests.dispatch.core.harness import Harness, HarnessFactory, incident, local

T0 = local("2026-11-23 10:00")


@pytest.mark.parametrize(
    ("state", "lifecycle", "seconds_after_handling", "policy", "verdict"),
    [
        (CaseState.HANDLED, Lifecycle.END, 5, EndBeforeHandling.KEEP, Verdict.VERIFY),
        (CaseState.HANDLED, Lifecycle.END, -300, EndBeforeHandling.KEEP, Verdict.VERIFY),
        (CaseState.HANDLED, Lifecycle.UPDATE, 60, EndBeforeHandling.KEEP, Verdict.NOTHING),  # within grace
        (CaseState.HANDLED, Lifecycle.UPDATE, 121, EndBeforeHandling.KEEP, Verdict.RETURN),
        (CaseState.DISPATCHED, Lifecycle.END, 0, EndBeforeHandling.CLOSE, Verdict.RESOLVE),
        (CaseState.ACCEPTED, Lifecycle.END, 0, EndBeforeHandling.KEEP, Verdict.NOTE_END),
        (CaseState.RETURNED, Lifecycle.END, 0, EndBeforeHandling.CLOSE, Verdict.RESOLVE),
        (CaseState.FILED, Lifecycle.END, 0, EndBeforeHandling.CLOSE, Verdict.RESOLVE),
        (CaseState.DISPATCHED, Lifecycle.UPDATE, 0, EndBeforeHandling.CLOSE, Verdict.NOTHING),
        (CaseState.VERIFIED, Lifecycle.UPDATE, 999, EndBeforeHandling.CLOSE, Verdict.NOTHING),
        (CaseState.CLOSED, Lifecycle.END, 0, EndBeforeHandling.CLOSE, Verdict.NOTHING),
    ],
)
def test_verdict_table(
    state: CaseState,
    lifecycle: Lifecycle,
    seconds_after_handling: int,
    policy: EndBeforeHandling,
    verdict: Verdict,
) -> None:
    handled_at: datetime | None = T0 if state is CaseState.HANDLED else None
    observed = T0 + timedelta(seconds=seconds_after_handling)
    assert camera_verdict(state, lifecycle, observed, handled_at, 120.0, policy) is verdict


def _handled_case(h: Harness) -> str:
    case_id = to_state(h, "handled")  # handled at Monday 09:00 (the harness clock)
    assert h.case(case_id).handled_at == local("2026-11-23 09:00")
    return case_id


def test_end_after_handling_verifies_automatically(harness: Harness) -> None:
    case_id = _handled_case(harness)
    harness.core.bus.handle(
        ReceiveIncident(incident(lifecycle="end", revision=2, observed_at=local("2026-11-23 09:02")))
    )
    case = harness.case(case_id)
    assert case.state.value == "verified"
    assert harness.history(case_id)[-1] == ("verified", "handled", "verified", "system")


def test_update_within_the_zone_clear_time_does_not_return(harness: Harness) -> None:
    case_id = _handled_case(harness)  # z-sidewalk's ebike_parking rule has clear_s 120
    harness.core.bus.handle(
        ReceiveIncident(incident(lifecycle="update", revision=2, observed_at=local("2026-11-23 09:01")))
    )
    assert harness.case(case_id).state.value == "handled"


def test_update_after_the_grace_returns_for_rework_with_fresh_evidence(harness: Harness) -> None:
    case_id = _handled_case(harness)
    harness.core.bus.handle(
        ReceiveIncident(
            incident(
                lifecycle="update",
                revision=2,
                observed_at=local("2026-11-23 09:05"),
                evidence_url="http://evidence.example/still-there.jpg",
                object_count=2,
            )
        )
    )
    harness.tick()
    case = harness.case(case_id)
    assert (case.state.value, case.rework_count, case.evidence_url) == (
        "returned",
        1,
        "http://evidence.example/still-there.jpg",
    )
    assert harness.notifier.kinds_for(WORKER) == ["new_task", "returned"]
    returned = next(n for n in harness.notifier.sent if str(n.kind) == "returned")
    assert returned.evidence_url == "http://evidence.example/still-there.jpg"

    # the worker handles it again; this time the zone clears
    from tests.dispatch.core.flows import handle

    harness.clock.set(local("2026-11-23 09:20"))
    handle(harness, case_id, photo="ph-2")
    harness.core.bus.handle(
        ReceiveIncident(incident(lifecycle="end", revision=3, observed_at=local("2026-11-23 09:23")))
    )
    assert harness.case(case_id).state.value == "verified"


def test_grace_from_settings_overrides_the_zone(new_harness: HarnessFactory) -> None:
    h = new_harness(local("2026-11-23 09:00"), verify_grace_s=600)
    case_id = _handled_case(h)
    h.core.bus.handle(
        ReceiveIncident(incident(lifecycle="update", revision=2, observed_at=local("2026-11-23 09:05")))
    )
    assert h.case(case_id).state.value == "handled"


def test_handling_a_case_whose_incident_already_ended_verifies_it(harness: Harness) -> None:
    from dispatch.domain import commands as c
    from tests.dispatch.core.flows import OPERATOR, accept, actor, file_case, handle

    case_id = file_case(harness, zone_id="z-shopfront", rule="storefront_trading")  # 04: review, keep
    harness.core.bus.handle(c.ConfirmCase(case_id, actor(harness, OPERATOR)))
    harness.core.bus.handle(
        ReceiveIncident(
            incident(
                zone_id="z-shopfront",
                rule="storefront_trading",
                lifecycle="end",
                revision=2,
                observed_at=local("2026-11-23 08:55"),
            )
        )
    )
    assert harness.case(case_id).state.value == "dispatched"  # kept open
    accept(harness, case_id)
    handle(harness, case_id)
    assert harness.case(case_id).state.value == "verified"
    assert harness.history(case_id)[-1] == ("verified", "handled", "verified", "system")
