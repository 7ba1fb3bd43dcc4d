"""The resident rating page in real headless Chromium: the signed link shows what is rated, 1-5 stars and a
comment are sent once, and a second use of the link is refused with the server's reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.domain import commands as c
from dispatch.domain.actors import Actor
from dispatch.persistence.case_tables import RatingRecord
from tests.dispatch.core.flows import LEADER, WORKER, add_photo
from tests.dispatch.web.live_site import LiveSite

pytestmark = [pytest.mark.integration]


def test_resident_rates_once_through_the_link(live: LiveSite, browser: Any, screenshots: Path) -> None:
    site = live.harness.site
    case_id = live.file_incident("inc-rate-1")
    bus = live.harness.core.bus
    worker, leader = Actor(site.person(WORKER)), Actor(site.person(LEADER))
    bus.handle(c.AcceptCase(case_id, worker))
    bus.handle(c.HandleCase(case_id, worker, note="moved", photo_ids=(add_photo(live.harness, case_id),)))
    bus.handle(c.VerifyCase(case_id, leader))
    token, _ = live.context.rating_links.issue(case_id, timedelta(hours=1))

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live.base_url}/rate/{token}")
    page.wait_for_selector("#stars")
    assert "非机动车乱停放" in page.inner_text("#app")
    assert page.is_disabled("#submit")
    page.click('button.star[data-score="4"]')
    assert page.inner_text("#score-word") == "满意"
    assert len(page.query_selector_all("button.star.on")) == 4
    page.fill("#comment", "处理很及时")
    page.screenshot(path=str(screenshots / "rate-1.png"))
    page.click("#submit")
    page.wait_for_selector("#thanks")

    with Session(live.harness.engine) as session:
        rating = session.scalars(select(RatingRecord).where(RatingRecord.case_id == case_id)).one()
    assert (rating.score, rating.comment, rating.rater_kind) == (4, "处理很及时", "resident")

    page.goto(f"{live.base_url}/rate/{token}")
    page.wait_for_selector("#stars")
    page.click('button.star[data-score="1"]')
    page.click("#submit")
    page.wait_for_selector("#submit-error:not(:empty)")
    assert "提交失败" in page.inner_text("#submit-error")
    page.goto(f"{live.base_url}/rate/not-a-token")
    page.wait_for_selector("#rate-error")
    assert "此评价链接不可用" in page.inner_text("#rate-error")
    context.close()
