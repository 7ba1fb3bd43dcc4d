"""Turning the site configuration into rows: weekly shifts split at midnight, ISO weekdays."""

from __future__ import annotations

import pytest

from dispatch.persistence.site_rows import ShiftKey, roster_shift_keys, weekly_spans
from gridwatch.config import DailyWindow
from tests.dispatch.persistence.sites import site_from, small_site_data


@pytest.mark.parametrize(
    ("days", "start", "end", "spans"),
    [
        (["mon"], "08:00", "17:30", [(1, 480, 1050)]),
        (["sat", "sun"], "00:00", "23:59", [(6, 0, 1439), (7, 0, 1439)]),
        (["sun"], "22:00", "06:00", [(7, 1320, 1440), (1, 0, 360)]),
        (["wed"], "18:00", "02:00", [(3, 1080, 1440), (4, 0, 120)]),
        (["fri"], "22:00", "00:00", [(5, 1320, 1440)]),
    ],
)
def test_weekly_spans(days: list[str], start: str, end: str, spans: list[tuple[int, int, int]]) -> None:
    window = DailyWindow.model_validate({"days": days, "start": start, "end": end})
    assert weekly_spans(window) == spans


def test_roster_shift_keys_cover_every_day_of_every_shift_once() -> None:
    data = small_site_data()
    grid_id = data["rosters"][0]["grid"]
    operator = next(p["id"] for p in data["people"] if p["role"] == "operator")
    data["rosters"][0]["shifts"] += [
        {"person": operator, "days": ["mon", "tue"], "start": "08:00", "end": "12:00"},
        {"person": operator, "days": ["mon"], "start": "08:00", "end": "12:00"},  # the same span again
        {"person": operator, "days": ["sun"], "start": "23:00", "end": "01:00"},
    ]
    keys = {key for key in roster_shift_keys(site_from(data)) if key.person_id == operator}
    assert keys == {
        ShiftKey(operator, grid_id, 1, 480, 720),
        ShiftKey(operator, grid_id, 2, 480, 720),
        ShiftKey(operator, grid_id, 7, 1380, 1440),
        ShiftKey(operator, grid_id, 1, 0, 60),
    }
