"""The page links `gridwatch run` prints: who gets one, and tokens stored only as hashes."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.runtime.dispatch_address import DispatchAddress
from app.runtime.page_links import TOKEN_LABEL, issue_page_links, link_targets
from app.runtime.where_to_look import demo_camera_line, write_where_to_look
from dispatch.persistence import make_engine, sync_site, upgrade
from dispatch.persistence.case_tables import ApiTokenRecord
from dispatch.tokens import person_of_token
from gridwatch.config import SiteConfig, load_site

ROOT = Path(__file__).resolve().parents[3]

# Asia/Shanghai is UTC+8: 02:00 UTC on a Monday is 10:00 local (p-002 on duty in mg-xq-01, 08:00-18:00).
MONDAY_10_LOCAL = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
MONDAY_21_LOCAL = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(ROOT / "examples" / "site.yaml")


def test_the_worker_on_duty_and_an_operator_get_links(site: SiteConfig) -> None:
    targets = link_targets(site, ["cam-0003"], MONDAY_10_LOCAL)
    assert [(t.person.id, t.path, t.why) for t in targets] == [
        ("p-002", "/m/", "worker on duty in mg-xq-01"),
        ("p-041", "/ops/", "operator"),
    ]


def test_with_no_worker_on_duty_the_leader_gets_the_phone_link(site: SiteConfig) -> None:
    (phone, _dashboard) = link_targets(site, ["cam-0003"], MONDAY_21_LOCAL)
    assert phone.person.id == "p-001"
    assert "no worker on duty now" in phone.why


def test_without_a_demo_camera_only_the_dashboard_link(site: SiteConfig) -> None:
    assert [t.path for t in link_targets(site, [], MONDAY_10_LOCAL)] == ["/ops/"]


def test_tokens_are_stored_as_hashes_and_open_the_persons_pages(site: SiteConfig, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gw.db'}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        sync_site(session, site)
    targets = link_targets(site, ["cam-0003"], MONDAY_10_LOCAL)
    with Session(engine) as session, session.begin():
        links = issue_page_links(session, targets, "http://127.0.0.1:8600/", MONDAY_10_LOCAL)
    phone, dashboard = links
    assert phone.url.startswith("http://127.0.0.1:8600/m/?token=gw_")
    assert dashboard.url.startswith("http://127.0.0.1:8600/ops/?token=gw_")
    assert phone.line().startswith("phone     冯波 (p-002, worker on duty in mg-xq-01): http://")
    with Session(engine) as session:
        rows = session.scalars(select(ApiTokenRecord)).all()
        tokens = [parse_qs(urlsplit(link.url).query)["token"][0] for link in links]
        assert {row.label for row in rows} == {TOKEN_LABEL}
        assert not {row.token_sha256 for row in rows} & set(tokens), "only hashes are stored"
        assert [person_of_token(session, token) for token in tokens] == ["p-002", "p-041"]
    engine.dispose()


def test_where_to_look_names_the_api_the_demo_camera_and_the_links(site: SiteConfig, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        sync_site(session, site)
    engine.dispose()
    out = io.StringIO()
    address = DispatchAddress("127.0.0.1", 8611, "http://127.0.0.1:8611", note="port 8600 is taken")
    write_where_to_look(out, site, address, url, now=lambda: MONDAY_10_LOCAL)
    lines = out.getvalue().splitlines()
    assert lines[0] == "dispatch  port 8600 is taken"
    assert lines[1] == "dispatch  http://127.0.0.1:8611 (API docs http://127.0.0.1:8611/docs)"
    assert lines[2].startswith("demo      cam-0003 ")
    assert lines[3].startswith("phone     冯波 (p-002, ") and "http://127.0.0.1:8611/m/?token=gw_" in lines[3]
    assert lines[4].startswith("dashboard ") and "/ops/?token=gw_" in lines[4]
    quiet = io.StringIO()
    write_where_to_look(quiet, site, address, url, links=False, now=lambda: MONDAY_10_LOCAL)
    assert "token=" not in quiet.getvalue()


def test_an_unusable_database_is_reported_not_raised(site: SiteConfig, tmp_path: Path) -> None:
    out = io.StringIO()
    address = DispatchAddress("127.0.0.1", 8600, "http://127.0.0.1:8600")
    write_where_to_look(out, site, address, f"sqlite:///{tmp_path / 'empty.db'}", now=lambda: MONDAY_10_LOCAL)
    assert "links     could not issue tokens: OperationalError" in out.getvalue()


def test_the_demo_line_says_when_to_expect_the_case(site: SiteConfig) -> None:
    line = demo_camera_line(site.camera("cam-0003"))
    assert line is not None
    # dwell 120 s plus two samples (inertia) at the 10 s keepalive of a still scene.
    assert "(dwell 120 s)" in line and "about 140 s after its first frame" in line
    assert demo_camera_line(site.camera("cam-0007")) is None, "no parking zone"
