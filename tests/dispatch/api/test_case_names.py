"""A case names its camera, micro-grid, assignee and the people in its history: from the running site
configuration, else from the synchronised site tables (what left the site file), else by the id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from dispatch.persistence.case_tables import CaseRecord
from dispatch.persistence.site_tables import Camera
from tests.dispatch.core.api_harness import Api, make_api
from tests.dispatch.core.flows import LEADER, OPERATOR, WORKER, file_case, to_state
from tests.dispatch.core.harness import HarnessFactory, local
from tests.dispatch.persistence.sites import edited

MICRO_GRID = "mg-xq-01"
CAMERA = "cam-0001"
"""Where the flows' incidents happen; WORKER and LEADER are that micro-grid's people."""


def _names(case: dict[str, Any]) -> tuple[str, str, str | None]:
    return case["camera_name"], case["micro_grid_name"], case["assignee_name"]


def _merge_away(data: dict[str, Any]) -> None:
    """The town merges the micro-grid into its neighbours: it leaves the site file with its cameras, its
    leader and worker, and its roster."""
    for community in data["grid"]["communities"]:
        community["micro_grids"] = [m for m in community["micro_grids"] if m["id"] != MICRO_GRID]
    data["cameras"] = [camera for camera in data["cameras"] if camera["micro_grid"] != MICRO_GRID]
    data["people"] = [person for person in data["people"] if person["grid"] != MICRO_GRID]
    data["rosters"] = [roster for roster in data["rosters"] if roster["grid"] != MICRO_GRID]


def test_a_case_names_what_it_refers_to_from_the_running_site(api: Api) -> None:
    site = api.harness.site
    case_id = to_state(api.harness, "handled")
    expected = (site.camera(CAMERA).name, site.micro_grid(MICRO_GRID).name, site.person(WORKER).name)
    with Session(api.harness.engine) as session, session.begin():  # a stale copy does not win
        session.execute(update(Camera).where(Camera.id == CAMERA).values(name="旧名字"))

    detail = api.get(f"/api/v1/cases/{case_id}", OPERATOR).json()
    listed = api.get("/api/v1/cases", LEADER).json()
    tasks = api.get("/api/v1/me/tasks", WORKER).json()

    assert _names(detail) == expected
    assert [(case["id"], _names(case)) for case in listed] == [(case_id, expected)]
    assert [(case["id"], _names(case)) for case in tasks] == [(case_id, expected)]
    assert [(step["actor"], step["actor_name"]) for step in detail["history"]] == [
        ("system", None),  # filed
        ("system", None),  # dispatched by the roster
        (WORKER, site.person(WORKER).name),  # accepted
        (WORKER, site.person(WORKER).name),  # handled
    ]


def test_a_case_keeps_the_names_of_a_micro_grid_camera_and_people_that_left_the_site_file(
    new_harness: HarnessFactory, tmp_path: Path
) -> None:
    before = new_harness(local("2026-11-23 09:00"))
    case_id = to_state(before, "handled")
    before.tick()  # its pushes go out while the worker is still on the roster
    site = before.site
    expected = (site.camera(CAMERA).name, site.micro_grid(MICRO_GRID).name, site.person(WORKER).name)
    after_site = edited(site, _merge_away)
    assert site.person(WORKER).id not in {person.id for person in after_site.people}

    after = make_api(new_harness(local("2026-11-23 09:05"), after_site), tmp_path / "photos")  # syncs it

    detail = after.get(f"/api/v1/cases/{case_id}", OPERATOR).json()
    assert _names(detail) == expected
    assert [(case["id"], _names(case)) for case in after.get("/api/v1/cases", OPERATOR).json()] == [
        (case_id, expected)
    ]
    assert [(step["kind"], step["actor_name"]) for step in detail["history"]] == [
        ("filed", None),
        ("dispatched", None),
        ("accepted", site.person(WORKER).name),
        ("handled", site.person(WORKER).name),
        ("delivered", None),
    ]


def test_ids_the_database_never_saw_are_shown_as_the_ids(api: Api) -> None:
    case_id = file_case(api.harness)
    with Session(api.harness.engine) as session, session.begin():  # e.g. filed under a site never synced
        session.execute(
            update(CaseRecord)
            .where(CaseRecord.id == case_id)
            .values(camera_id="cam-9999", micro_grid_id="mg-unknown", assignee_id="p-999")
        )

    detail = api.get(f"/api/v1/cases/{case_id}", OPERATOR).json()

    assert _names(detail) == ("cam-9999", "mg-unknown", "p-999")


def test_a_case_nobody_holds_names_no_assignee(api: Api) -> None:
    case_id = to_state(api.harness, "filed")  # class 04 waits for an operator's review

    detail = api.get(f"/api/v1/cases/{case_id}", OPERATOR).json()

    assert (detail["assignee_id"], detail["assignee_name"]) == (None, None)
    assert detail["camera_name"] == api.harness.site.camera(detail["camera_id"]).name
