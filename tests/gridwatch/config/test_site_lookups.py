"""Typed lookups, duty rosters and working-hours deadlines of a loaded site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml
from pydantic import ValidationError

from gridwatch.config import DailyWindow, GridLevel, Role, SiteConfig, SiteConfigError, parse_site
from gridwatch.config.yaml_lines import SiteYamlLoader
from tests.gridwatch.config.site_text import MINIMAL_SITE

CST = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return parse_site(MINIMAL_SITE)


def at(text: str) -> datetime:
    """A wall-clock time in the site's timezone (Asia/Shanghai has no DST: a fixed +08:00)."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def test_grid_lookups(site: SiteConfig) -> None:
    assert site.community_of("mg-2").id == "cg-1"
    assert site.micro_grid("mg-1").name == "一号微网格"
    assert [site.grid_level(g) for g in ("town", "cg-1", "mg-1")] == [
        GridLevel.TOWN,
        GridLevel.COMMUNITY,
        GridLevel.MICRO_GRID,
    ]
    assert [camera.id for camera in site.cameras_in("mg-2")] == ["cam-2"]


def test_people_lookups(site: SiteConfig) -> None:
    assert site.leader_of("mg-2").id == "p-3"
    assert [p.id for p in site.workers_of("mg-1")] == ["p-2"]
    assert [p.id for p in site.people_of("town", Role.DEPARTMENT)] == ["p-5", "p-6"]
    assert [p.id for p in site.department_people("scjg")] == ["p-6"]
    assert [p.id for p in site.operators()] == ["p-7"]


def test_event_class_lookups(site: SiteConfig) -> None:
    assert site.event_class_for("mobile_vendor").code == "01"
    assert site.department_for("01").id == "scjg"
    assert site.department_for(site.event_class_for("ebike_parking")).id == "chengguan"
    assert site.zone("cam-1", "z-1").rule("storefront_trading") is not None


@pytest.mark.parametrize(
    ("lookup", "key"),
    [
        (SiteConfig.camera, "cam-9"),
        (SiteConfig.micro_grid, "cg-1"),  # a community is not a micro-grid
        (SiteConfig.person, "p-99"),
        (SiteConfig.event_class, "99"),
        (SiteConfig.department, "police"),
    ],
)
def test_unknown_ids_raise_key_error_naming_them(site: SiteConfig, lookup: object, key: str) -> None:
    with pytest.raises(KeyError, match=key):
        lookup(site, key)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("grid", "moment", "expected"),
    [
        ("mg-2", "2026-03-02T23:00", ["p-4"]),  # the night shift started at 20:00
        ("mg-2", "2026-03-03T05:59", ["p-4"]),  # still the same shift after midnight
        ("mg-2", "2026-03-03T06:00", []),  # end is exclusive
        ("mg-2", "2026-03-03T19:59", []),
        ("mg-1", "2026-03-06T17:59", ["p-2"]),  # Friday
        ("mg-1", "2026-03-07T10:00", []),  # Saturday: no weekend shift
        ("cg-1", "2026-03-02T10:00", []),  # no roster for the community
    ],
)
def test_on_duty(site: SiteConfig, grid: str, moment: str, expected: list[str]) -> None:
    assert [p.id for p in site.on_duty(grid, at(moment))] == expected


def test_on_duty_converts_other_timezones(site: SiteConfig) -> None:
    assert [p.id for p in site.on_duty("mg-2", datetime(2026, 3, 2, 15, 0, tzinfo=UTC))] == ["p-4"]


def test_on_duty_refuses_naive_datetimes(site: SiteConfig) -> None:
    with pytest.raises(ValueError, match="no timezone"):
        site.on_duty("mg-2", datetime(2026, 3, 2, 23, 0))


@pytest.mark.parametrize(
    ("start", "hours", "deadline"),
    [
        ("2026-03-06T16:30", 2, "2026-03-09T09:30"),  # Friday afternoon, over the weekend
        ("2026-03-02T11:30", 1, "2026-03-02T14:00"),  # over lunch
        ("2026-03-02T07:00", 0.5, "2026-03-02T09:00"),  # before work: the clock starts at 08:30
        ("2026-09-30T17:00", 1, "2026-10-02T09:00"),  # over the 10-01 holiday
        ("2026-10-10T08:00", 1, "2026-10-10T09:30"),  # a Saturday made a working day
    ],
)
def test_deadlines_count_working_hours(site: SiteConfig, start: str, hours: float, deadline: str) -> None:
    due = site.deadline(at(start), hours)
    assert due == at(deadline)
    assert site.working_hours_between(at(start), due) == pytest.approx(hours)


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        ("2026-03-02T08:30", True),
        ("2026-03-02T12:30", False),
        ("2026-03-02T17:30", False),
        ("2026-10-01T10:00", False),
    ],
)
def test_is_working_time(site: SiteConfig, moment: str, working: bool) -> None:
    assert site.is_working_time(at(moment)) is working


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-03-02T23:00", True),  # Monday evening
        ("2026-03-03T01:00", True),  # Monday's window, after midnight
        ("2026-03-03T23:00", False),  # Tuesday evening: the window starts on Mondays only
        ("2026-03-02T01:00", False),  # Monday early: that would be Sunday's window
    ],
)
def test_window_crossing_midnight(moment: str, inside: bool) -> None:
    window = DailyWindow.model_validate({"days": ["mon"], "start": "17:00", "end": "02:00"})
    assert window.contains(datetime.fromisoformat(moment)) is inside


def test_built_sites_are_checked_and_frozen(site: SiteConfig) -> None:
    data = yaml.load(MINIMAL_SITE, Loader=SiteYamlLoader)
    data["cameras"][0]["micro_grid"] = "mg-9"
    with pytest.raises(SiteConfigError, match="unknown micro-grid mg-9"):
        SiteConfig.model_validate(data)
    with pytest.raises(ValidationError):
        site.site.name = "x"  # type: ignore[misc]
