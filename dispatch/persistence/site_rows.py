"""What the site tables should hold for a site configuration: column values per row, keyed by id.

Pure functions of a :class:`~gridwatch.config.SiteConfig`; :mod:`site_sync` compares them with the database.
JSON columns get the configuration's JSON form (``model_dump(mode="json")``), which is also what the database
gives back, so that an unchanged configuration compares equal to what a previous sync stored.
"""

from __future__ import annotations

from datetime import time
from typing import Any, NamedTuple

from dispatch.persistence.site_tables import GridLevel, PersonRole
from gridwatch.config import DailyWindow, GeoJsonMultiPolygon, GeoJsonPolygon, SiteConfig, Weekday

RowValues = dict[str, Any]
"""Column name → value for one row (without ``site_id`` and ``active``, which the sync sets)."""

MINUTES_PER_DAY = 24 * 60

_WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)


class ShiftKey(NamedTuple):
    """One row of ``roster_shifts``: a person on duty for a grid on an ISO weekday, minutes [start, end)."""

    person_id: str
    grid_id: str
    weekday: int
    start_minute: int
    end_minute: int


def site_values(site: SiteConfig) -> RowValues:
    """The ``sites`` row of the site."""
    return {"name": site.site.name, "timezone": site.site.timezone}


def department_rows(site: SiteConfig) -> dict[str, RowValues]:
    """``departments`` rows by id."""
    return {d.id: {"name": d.name, "phone": d.phone} for d in site.departments}


def grid_rows_by_level(site: SiteConfig) -> tuple[dict[str, RowValues], ...]:
    """``grids`` rows by id, one mapping per level, parents first: town, community grids, micro-grids."""
    town = site.grid.town
    towns = {town.id: _grid(GridLevel.TOWN, None, town.name, town.boundary)}
    communities = {
        c.id: _grid(GridLevel.COMMUNITY, town.id, c.name, c.boundary) for c in site.grid.communities
    }
    micro_grids = {
        m.id: _grid(GridLevel.MICRO_GRID, c.id, m.name, m.boundary) for c, m in site.grid.micro_grids()
    }
    return towns, communities, micro_grids


def camera_rows(site: SiteConfig) -> dict[str, RowValues]:
    """``cameras`` rows by id."""
    return {
        camera.id: {
            "name": camera.name,
            "micro_grid_id": camera.micro_grid,
            "lat": camera.location.lat,
            "lon": camera.location.lon,
            "source_kind": camera.source.kind,
            "zones": [zone.model_dump(mode="json") for zone in camera.zones],
        }
        for camera in site.cameras
    }


def person_rows(site: SiteConfig) -> dict[str, RowValues]:
    """``people`` rows by id."""
    return {
        person.id: {
            "name": person.name,
            "role": PersonRole(person.role.value),
            "grid_id": person.grid,
            "department_id": person.department,
            "phone": person.phone,
            "channels": [channel.model_dump(mode="json") for channel in person.channels],
        }
        for person in site.people
    }


def event_class_rows(site: SiteConfig) -> dict[str, RowValues]:
    """``event_classes`` rows by code."""
    return {
        ec.code: {
            "name": ec.name,
            "department_id": ec.department,
            "accept_within_h": ec.accept_within_h,
            "handle_within_h": ec.handle_within_h,
            "remind_before_h": ec.remind_before_h,
            "rule_kinds": [kind.value for kind in ec.rules],
            "review": ec.review.value,
            "on_end_before_handling": ec.on_end_before_handling.value,
            "escalation": [level.value for level in ec.escalation],
        }
        for ec in site.event_classes
    }


def roster_shift_keys(site: SiteConfig) -> set[ShiftKey]:
    """``roster_shifts`` rows: each configured shift on each of its days, split at midnight if it crosses."""
    keys: set[ShiftKey] = set()
    for roster in site.rosters:
        for shift in roster.shifts:
            keys.update(ShiftKey(shift.person, roster.grid, *part) for part in weekly_spans(shift))
    return keys


def weekly_spans(window: DailyWindow) -> list[tuple[int, int, int]]:
    """A weekly window as (ISO weekday, start minute, end minute) spans, none crossing midnight.

    ``22:00-06:00`` on Sunday becomes (7, 1320, 1440) and (1, 0, 360).
    """
    start, end = _minute_of_day(window.start), _minute_of_day(window.end)
    spans: list[tuple[int, int, int]] = []
    for day in window.days:
        weekday = _WEEKDAYS.index(day) + 1
        if not window.crosses_midnight:
            spans.append((weekday, start, end))
            continue
        spans.append((weekday, start, MINUTES_PER_DAY))
        if end > 0:
            spans.append((weekday % 7 + 1, 0, end))
    return spans


def _minute_of_day(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _grid(
    level: GridLevel, parent_id: str | None, name: str, boundary: GeoJsonPolygon | GeoJsonMultiPolygon | None
) -> RowValues:
    return {
        "level": level,
        "parent_id": parent_id,
        "name": name,
        "boundary": None if boundary is None else boundary.model_dump(mode="json"),
    }
