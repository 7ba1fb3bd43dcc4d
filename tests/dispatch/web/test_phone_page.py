"""The worker phone page in real headless Chromium against a real server: a new task appears live (no
reload), then 接单 → 上传照片 → 备注 → 处理完成, and the database says handled."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.persistence.case_tables import PhotoRecord
from tests.dispatch.core.flows import WORKER
from tests.dispatch.web.live_site import LiveSite, street_jpeg, wait_js

pytestmark = [pytest.mark.integration]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _phone(browser: Any) -> Any:
    # A browser far from the site: the page must still show times in the site's zone (Asia/Shanghai).
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="America/New_York")
    context.set_default_timeout(10_000)
    return context


def test_new_task_appears_live_and_is_worked_to_handled(
    live: LiveSite, browser: Any, screenshots: Path, tmp_path: Path
) -> None:
    context = _phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live.url("/m/", WORKER))

    page.wait_for_selector("#no-tasks")
    assert "token=" not in page.url, "the token must leave the address bar once kept"
    assert page.evaluate("localStorage.getItem('gw.token')") == live.token(WORKER)
    page.wait_for_selector("#live.on")
    page.evaluate("window.__sameDocument = true")

    case_id = live.file_incident("inc-phone-1")

    # Locators, not element handles: live updates re-render the list and the case view, which detaches a
    # handle taken before them (seen under load); a locator finds the element afresh on every call.
    page.wait_for_selector(f'.task[data-case-id="{case_id}"]')
    card = page.locator(f'.task[data-case-id="{case_id}"]')
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of updating live"
    assert card.get_attribute("data-state") == "dispatched"
    assert "非机动车乱停放" in card.inner_text()
    wait_js(page, "document.querySelector('.task img.thumb').naturalWidth > 0")
    assert "新任务" in page.inner_text("#toast")
    page.screenshot(path=str(screenshots / "phone-1-new-task.png"))

    card.click()
    page.wait_for_url(f"**/m/cases/{case_id}")
    wait_js(page, "document.getElementById('evidence')?.naturalWidth === 640")
    assert page.inner_text("#place") == live.harness.case(case_id).place
    assert (
        page.inner_text("#micro-grid")
        == live.harness.site.micro_grid(live.harness.case(case_id).micro_grid_id).name
    )
    due = live.harness.case(case_id).handle_due_at
    assert due is not None
    site_zone = ZoneInfo(live.harness.site.site.timezone)
    assert page.inner_text("#deadline").startswith(due.astimezone(site_zone).strftime("%m-%d %H:%M"))
    assert page.inner_text("#dwell") == "22分钟"  # 10 min to open the incident + 12 min observed
    assert [item.get_attribute("data-kind") for item in page.query_selector_all("#history li")] == [
        "filed",
        "dispatched",
    ]
    page.screenshot(path=str(screenshots / "phone-2-task.png"), full_page=True)

    page.click("#accept")
    page.wait_for_selector('#state [data-state="accepted"]')
    page.wait_for_selector("#handle")
    assert page.locator("#handle").is_disabled(), "处理完成 needs a photo and a note first"
    file_input = page.locator("#photo-input")
    assert (file_input.get_attribute("accept"), file_input.get_attribute("capture")) == (
        "image/*",
        "environment",
    )

    after = tmp_path / "after.jpg"
    after.write_bytes(street_jpeg(bikes=0))
    page.set_input_files("#photo-input", str(after))
    page.wait_for_selector("#photo-count:has-text('已上传 1 张')")
    wait_js(page, "document.querySelector('#photos img')?.naturalWidth === 640")
    page.fill("#note", "已将3辆电动车移至停车区")
    page.wait_for_selector("#handle:not([disabled])")
    page.screenshot(path=str(screenshots / "phone-3-handling.png"), full_page=True)
    page.click("#handle")

    page.wait_for_selector('#state [data-state="handled"]')
    assert page.inner_text("#state-banner") == "已提交，等待核查"
    assert page.query_selector_all("#history li")[-1].get_attribute("data-kind") == "handled"
    page.screenshot(path=str(screenshots / "phone-4-handled.png"), full_page=True)

    case = live.harness.case(case_id)
    assert (case.state.value, case.handled_note, case.handled_by) == (
        "handled",
        "已将3辆电动车移至停车区",
        WORKER,
    )
    with Session(live.harness.engine) as session:
        photos = session.scalars(select(PhotoRecord).where(PhotoRecord.case_id == case_id)).all()
    assert [(p.uploaded_by, p.width, p.content_type) for p in photos] == [(WORKER, 640, "image/jpeg")]
    assert live.harness.history(case_id)[-1] == ("handled", "accepted", "handled", WORKER)

    page.click("#back")
    page.wait_for_selector(f'.task[data-case-id="{case_id}"][data-state="handled"]')
    assert page.evaluate("window.__sameDocument === true")
    assert errors == []
    context.close()


def test_a_bad_token_gets_the_login_form_and_a_good_one_is_kept(live: LiveSite, browser: Any) -> None:
    context = _phone(browser)
    page = context.new_page()
    page.goto(f"{live.base_url}/m/?token=gw_not-a-token")
    page.wait_for_selector("#login-error")
    assert "令牌无效" in page.inner_text("#login-error")
    page.fill("#token-input", live.token(WORKER))
    page.click("#login")
    page.wait_for_selector("#no-tasks")
    assert "冯波" in page.inner_text("#me")
    page.reload()
    page.wait_for_selector("#no-tasks")  # kept in localStorage: no second login
    context.close()
