"""Copy a site configuration into the site tables: an idempotent upsert that never deletes what cases use.

Usage (the caller owns the transaction)::

    with Session(engine) as session, session.begin():
        report = sync_site(session, site)
    print(report)

Syncing the same configuration twice changes nothing the second time. A grid, department, camera, person or
event class that is no longer configured is marked ``active = False`` (and reactivated if it comes back).
What is copied is what cases refer to and must still be named by after it left the configuration (see
:mod:`dispatch.site_names`); the site's own row and its rosters are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dispatch.persistence.site_rows import (
    RowValues,
    camera_rows,
    department_rows,
    event_class_rows,
    grid_rows_by_level,
    person_rows,
)
from dispatch.persistence.site_tables import Camera, Department, EventClass, Grid, Person, SiteScoped
from gridwatch.config import SiteConfig

RowT = TypeVar("RowT", bound=SiteScoped)


class SiteSyncError(RuntimeError):
    """The configuration cannot be copied into this database (e.g. an id already used by another site)."""


@dataclass
class TableCounts:
    """What a sync did to one table."""

    added: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Whether any row was written."""
        return bool(self.added or self.updated or self.deactivated)

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.deactivated} deactivated, "
            f"{self.unchanged} unchanged"
        )


TABLES = ("departments", "grids", "cameras", "people", "event_classes")
"""The tables a sync writes, in the order it writes them (and the report lists them)."""


@dataclass
class SyncReport:
    """Counts per table of one :func:`sync_site`."""

    site_id: str
    tables: dict[str, TableCounts] = field(default_factory=lambda: {name: TableCounts() for name in TABLES})

    @property
    def changed(self) -> bool:
        """Whether the sync wrote anything."""
        return any(counts.changed for counts in self.tables.values())

    def __str__(self) -> str:
        width = max(len(name) for name in self.tables)
        lines = [f"site {self.site_id}: " + ("synchronised" if self.changed else "already up to date")]
        lines += [f"  {name:<{width}}  {counts}" for name, counts in self.tables.items()]
        return "\n".join(lines)


def sync_site(session: Session, site: SiteConfig) -> SyncReport:
    """Make the site tables hold ``site``; flushes but does not commit. See the module docstring."""
    site_id = site.site.id
    report = SyncReport(site_id)
    departments = department_rows(site)
    _upsert(session, Department, Department.id, site_id, departments, report.tables["departments"])

    grid_levels = grid_rows_by_level(site)
    for level_rows in grid_levels:  # parents first: a grid's parent must exist before it refers to it
        _upsert(session, Grid, Grid.id, site_id, level_rows, report.tables["grids"])
    all_grid_ids = {grid_id for level_rows in grid_levels for grid_id in level_rows}

    cameras = camera_rows(site)
    _upsert(session, Camera, Camera.id, site_id, cameras, report.tables["cameras"])
    people = person_rows(site)
    _upsert(session, Person, Person.id, site_id, people, report.tables["people"])
    event_classes = event_class_rows(site)
    _upsert(session, EventClass, EventClass.code, site_id, event_classes, report.tables["event_classes"])

    _deactivate_missing(
        session, EventClass, EventClass.code, site_id, event_classes, report.tables["event_classes"]
    )
    _deactivate_missing(session, Person, Person.id, site_id, people, report.tables["people"])
    _deactivate_missing(session, Camera, Camera.id, site_id, cameras, report.tables["cameras"])
    _deactivate_missing(session, Grid, Grid.id, site_id, all_grid_ids, report.tables["grids"])
    _deactivate_missing(
        session, Department, Department.id, site_id, departments, report.tables["departments"]
    )
    session.flush()
    return report


def _upsert(
    session: Session,
    model: type[RowT],
    key: InstrumentedAttribute[str],
    site_id: str,
    desired: Mapping[str, RowValues],
    counts: TableCounts,
) -> None:
    """Insert missing rows, update differing ones, reactivate inactive ones; then flush."""
    if not desired:
        return
    existing = {getattr(row, key.key): row for row in session.scalars(select(model).where(key.in_(desired)))}
    for row_id, values in desired.items():
        row = existing.get(row_id)
        if row is None:
            session.add(model(**{key.key: row_id}, site_id=site_id, active=True, **values))
            counts.added += 1
            continue
        if row.site_id != site_id:
            raise SiteSyncError(
                f"{model.__tablename__} {row_id!r} belongs to site {row.site_id!r} in this database, "
                f"not to {site_id!r}; ids must be unique across the sites that share a database"
            )
        reactivated = not row.active
        row.active = True
        if _apply(row, values) or reactivated:
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()


def _deactivate_missing(
    session: Session,
    model: type[RowT],
    key: InstrumentedAttribute[str],
    site_id: str,
    configured: Iterable[str],
    counts: TableCounts,
) -> None:
    """Mark the site's active rows that are no longer configured as inactive."""
    keep = set(configured)
    stale = session.scalars(select(model).where(model.site_id == site_id, model.active.is_(True)))
    for row in stale:
        if getattr(row, key.key) not in keep:
            row.active = False
            counts.deactivated += 1


def _apply(row: Any, values: RowValues) -> bool:
    """Set the attributes of ``row`` that differ from ``values``; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
