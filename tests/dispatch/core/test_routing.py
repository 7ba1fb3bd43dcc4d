"""Routing: camera → micro-grid → worker on duty (least loaded), else the leader; up the escalation chain."""

from __future__ import annotations

import pytest

from dispatch.routing import last_level, next_level, route_to_level, route_to_worker
from gridwatch.config import EscalationLevel, load_site
from tests.dispatch.core.harness import EXAMPLE_SITE, local

SITE = load_site(EXAMPLE_SITE)


@pytest.mark.parametrize(
    ("grid", "at", "loads", "expected"),
    [
        ("mg-xq-02", "2026-11-23 10:00", {}, "p-004"),  # weekday shift
        ("mg-xq-02", "2026-11-28 10:00", {}, "p-005"),  # Saturday shift
        ("mg-xq-02", "2026-11-23 23:00", {}, "p-003"),  # nobody on duty: the leader
        ("mg-qh-01", "2026-11-23 18:30", {}, "p-011"),  # two on duty, equal load: roster order
        ("mg-qh-01", "2026-11-23 18:30", {"p-011": 2, "p-012": 1}, "p-012"),  # the less loaded
        ("mg-qh-01", "2026-11-24 01:00", {}, "p-012"),  # a shift that crossed midnight
    ],
)
def test_route_to_worker(grid: str, at: str, loads: dict[str, int], expected: str) -> None:
    assert route_to_worker(SITE, grid, local(at), lambda p: loads.get(p, 0)).person.id == expected


def test_department_level_goes_to_the_class_department() -> None:
    vendors = SITE.event_class("01")
    chosen = route_to_level(
        SITE, EscalationLevel.DEPARTMENT, "mg-xq-01", vendors, local("2026-11-23 10:00"), lambda p: 0
    )
    assert (chosen.person.id, chosen.department_id) == ("p-039", "scjg")


def test_chain() -> None:
    parking = SITE.event_class("06")
    assert next_level(parking, EscalationLevel.WORKER) is EscalationLevel.LEADER
    assert next_level(parking, EscalationLevel.DEPARTMENT) is None
    assert last_level(parking) is EscalationLevel.DEPARTMENT
