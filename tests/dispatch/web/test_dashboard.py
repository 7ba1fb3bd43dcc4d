"""The operations-centre dashboard in real headless Chromium: the town map drawn from the site (one path per
micro-grid, cameras coloured by status), a new case arriving live on the list and as a marker, its detail
with evidence and history, and the indicator figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dispatch.camera_status import CameraStatusBoard
from dispatch.domain import commands as c
from dispatch.domain.actors import Actor
from gridwatch.messages import CameraCounters, CameraStatus
from tests.dispatch.core.flows import LEADER, OPERATOR, WORKER, add_photo
from tests.dispatch.web.live_site import LiveSite, wait_js

pytestmark = [pytest.mark.integration]


def _status(camera_id: str, status: str, at: float, reason: str = "") -> CameraStatus:
    counters = CameraCounters(sampled=10, published=10, skipped_by_gate=0, dropped=0, bad_frames=0)
    return CameraStatus(camera_id=camera_id, status=status, reason=reason, at=at, counters=counters)


def test_map_list_and_detail_update_live(
    live: LiveSite, board: CameraStatusBoard, browser: Any, screenshots: Path
) -> None:
    now = live.harness.clock().timestamp()
    board.update(_status("cam-0001", "online", now))
    board.update(_status("cam-0002", "offline", now, "no frame for 60 s"))
    site = live.harness.site
    earlier_case = live.file_incident(
        "inc-ops-0", camera_id="cam-0003", micro_grid_id=site.camera("cam-0003").micro_grid
    )

    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live.url("/ops/", OPERATOR))
    page.wait_for_selector(f'tr.case-row[data-case-id="{earlier_case}"]')
    page.wait_for_selector("#live.on")
    page.evaluate("window.__sameDocument = true")

    with_boundary = [grid for grid in site.micro_grids if grid.boundary is not None]
    areas = page.query_selector_all("#map-svg path.grid-area")
    assert len(areas) == len(with_boundary) > 0
    assert {area.get_attribute("data-grid-id") for area in areas} == {grid.id for grid in with_boundary}
    assert len(page.query_selector_all("#map-svg circle.camera")) == len(site.cameras)
    assert page.get_attribute('circle.camera[data-camera-id="cam-0001"]', "class") == "camera online"
    assert page.get_attribute('circle.camera[data-camera-id="cam-0002"]', "class") == "camera offline"
    assert page.get_attribute('circle.camera[data-camera-id="cam-0004"]', "class") == "camera unknown"

    case_id = live.file_incident("inc-ops-1")

    # Locators, not element handles: live updates re-render the table and the map, which detaches a handle
    # taken before them; a locator finds the element afresh on every call.
    page.wait_for_selector(f'tr.case-row[data-case-id="{case_id}"]')
    row = page.locator(f'tr.case-row[data-case-id="{case_id}"]')
    assert row.get_attribute("data-state") == "dispatched"
    assert "非机动车乱停放" in row.inner_text()
    page.wait_for_selector(f'#map-svg g.case-marker[data-case-id="{case_id}"]')
    marker = page.locator(f'#map-svg g.case-marker[data-case-id="{case_id}"]')
    assert page.evaluate("window.__sameDocument === true"), "the dashboard reloaded instead of updating live"
    assert len(page.query_selector_all("#map-svg g.case-marker")) == 2
    assert "hot" in (page.get_attribute('path.grid-area[data-grid-id="mg-xq-01"]', "class") or "")
    wait_js(page, "document.querySelector('#dispatched-count .value').textContent === '2'")
    assert page.inner_text("#closure-rate .value") == "—"  # nothing is due yet
    assert page.inner_text("#open-count .value") == "2"

    marker.click()
    page.wait_for_url(f"**/ops/cases/{case_id}")
    wait_js(page, "document.getElementById('detail-evidence')?.naturalWidth === 640")
    kinds = [item.get_attribute("data-kind") for item in page.query_selector_all("#detail-history li")]
    assert kinds[:2] == ["filed", "dispatched"]
    assert page.inner_text("#detail-micro-grid") == site.micro_grid("mg-xq-01").name
    assert page.inner_text("#detail-assignee") == f"{site.person(WORKER).name}（网格员）"
    assert "selected" in (page.get_attribute(f'g.case-marker[data-case-id="{case_id}"]', "class") or "")
    page.screenshot(path=str(screenshots / "ops-1-dashboard.png"), full_page=True)

    # the worker accepts on their phone: the open detail follows without a reload
    live.harness.core.bus.handle(c.AcceptCase(case_id, Actor(site.person(WORKER))))
    page.wait_for_selector('#detail-state [data-state="accepted"]')
    page.wait_for_selector(f'tr.case-row[data-case-id="{case_id}"][data-state="accepted"]')
    assert errors == []
    context.close()


def test_a_worker_token_is_told_the_dashboard_is_not_theirs(live: LiveSite, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(live.url("/ops/", WORKER))
    page.wait_for_selector("#role-error")
    assert "网格员" in page.inner_text("#role-error")
    context.close()


def test_a_leader_sees_only_their_grid_and_can_verify(live: LiveSite, browser: Any) -> None:
    site = live.harness.site
    mine = live.file_incident("inc-lead-1")
    other_camera = next(cam for cam in site.cameras if cam.micro_grid != "mg-xq-01")
    other = live.file_incident("inc-lead-2", camera_id=other_camera.id, micro_grid_id=other_camera.micro_grid)
    worker = Actor(site.person(WORKER))
    live.harness.core.bus.handle(c.AcceptCase(mine, worker))
    photo = add_photo(live.harness, mine)
    live.harness.core.bus.handle(c.HandleCase(mine, worker, note="moved", photo_ids=(photo,)))

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live.url(f"/ops/cases/{mine}", LEADER))
    page.wait_for_selector(f'tr.case-row[data-case-id="{mine}"]')
    assert page.query_selector(f'tr.case-row[data-case-id="{other}"]') is None
    page.click("#ops-verify")
    page.wait_for_selector('#detail-state [data-state="verified"]')
    assert live.harness.case(mine).state.value == "verified"
    context.close()
