"""What the site tables should hold for a site configuration: column values per row, keyed by id.

Pure functions of a :class:`~gridwatch.config.SiteConfig`; :mod:`site_sync` compares them with the database.
JSON columns get the configuration's JSON form (``model_dump(mode="json")``), which is also what the database
gives back, so that an unchanged configuration compares equal to what a previous sync stored.
"""

from __future__ import annotations

from typing import Any

from dispatch.persistence.site_tables import GridLevel, PersonRole
from gridwatch.config import GeoJsonMultiPolygon, GeoJsonPolygon, SiteConfig

RowValues = dict[str, Any]
"""Column name → value for one row (without ``site_id`` and ``active``, which the sync sets)."""


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


def _grid(
    level: GridLevel, parent_id: str | None, name: str, boundary: GeoJsonPolygon | GeoJsonMultiPolygon | None
) -> RowValues:
    return {
        "level": level,
        "parent_id": parent_id,
        "name": name,
        "boundary": None if boundary is None else boundary.model_dump(mode="json"),
    }
