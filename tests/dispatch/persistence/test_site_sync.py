"""Copying the site configuration into the database: counts, idempotence, deactivation, integrity."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.persistence.all_tables import METADATA
from dispatch.persistence.site_sync import SiteSyncError
from dispatch.persistence.site_tables import (
    Camera,
    Department,
    EventClass,
    Grid,
    GridLevel,
    Person,
    PersonRole,
)
from gridwatch.config import GridLevel as ConfigGridLevel
from gridwatch.config import Role, SiteConfig, load_site
from tests.dispatch.persistence.sites import (
    EXAMPLE_SITE,
    SMALL_SPEC,
    edited,
    site_from,
    small_site_data,
    sync,
)


@pytest.fixture
def small_site() -> SiteConfig:
    return site_from(small_site_data())


def _count(engine: Engine, model: Any, *, active: bool | None = None) -> int:
    statement = select(func.count()).select_from(model)
    if active is not None:
        statement = statement.where(model.active.is_(active))
    with Session(engine) as session:
        return session.scalar(statement) or 0


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row) for row in connection.execute(table.select().order_by(*table.primary_key))
            ]
            for table in METADATA.sorted_tables
        }


def _expected_counts(site: SiteConfig) -> dict[str, int]:
    return {
        "departments": len(site.departments),
        "grids": 1 + len(site.communities) + len(site.micro_grids),
        "cameras": len(site.cameras),
        "people": len(site.people),
        "event_classes": len(site.event_classes),
    }


def test_first_sync_adds_every_configured_row(migrated_engine: Engine, small_site: SiteConfig) -> None:
    report = sync(migrated_engine, small_site)

    expected = _expected_counts(small_site)
    assert {name: report.tables[name].added for name in expected} == expected
    assert set(report.tables) == set(expected)  # the site's own row and its rosters are not copied
    assert report.changed
    for model, name in [(Department, "departments"), (Grid, "grids"), (Camera, "cameras")]:
        assert _count(migrated_engine, model) == expected[name], name
    assert _count(migrated_engine, Person, active=True) == expected["people"]
    assert _count(migrated_engine, EventClass, active=True) == expected["event_classes"]


def test_synced_rows_hold_the_configuration(migrated_engine: Engine, small_site: SiteConfig) -> None:
    sync(migrated_engine, small_site)
    configured_camera = small_site.cameras[0]
    micro_grid_id = configured_camera.micro_grid
    leader = small_site.leader_of(micro_grid_id)

    with Session(migrated_engine) as session:
        camera = session.get_one(Camera, configured_camera.id)
        micro_grid = session.get_one(Grid, micro_grid_id)
        person = session.get_one(Person, leader.id)
        town = session.get_one(Grid, small_site.town.id)

    assert (camera.name, camera.micro_grid_id, camera.site_id) == (
        configured_camera.name,
        micro_grid_id,
        small_site.site.id,
    )
    assert (camera.lat, camera.lon) == (configured_camera.location.lat, configured_camera.location.lon)
    assert camera.source_kind == configured_camera.source.kind
    assert [zone["id"] for zone in camera.zones] == [zone.id for zone in configured_camera.zones]
    assert camera.zones[0]["polygon"] == [list(point) for point in configured_camera.zones[0].polygon]
    assert micro_grid.level is GridLevel.MICRO_GRID
    assert micro_grid.parent_id == small_site.community_of(micro_grid_id).id
    assert (town.level, town.parent_id) == (GridLevel.TOWN, None)
    assert (person.role, person.grid_id) == (PersonRole.LEADER, micro_grid_id)


def test_resync_of_the_same_configuration_changes_nothing(
    migrated_engine: Engine, small_site: SiteConfig
) -> None:
    sync(migrated_engine, small_site)
    before = _snapshot(migrated_engine)

    report = sync(migrated_engine, small_site)

    assert not report.changed, str(report)
    assert all(counts.unchanged > 0 for counts in report.tables.values()), str(report)
    assert _snapshot(migrated_engine) == before
    assert "already up to date" in str(report)


def test_removed_camera_is_deactivated_not_deleted(migrated_engine: Engine, small_site: SiteConfig) -> None:
    sync(migrated_engine, small_site)
    removed = small_site.cameras[0].id

    def drop_first_camera(data: dict[str, Any]) -> None:
        del data["cameras"][0]

    report = sync(migrated_engine, edited(small_site, drop_first_camera))

    cameras = report.tables["cameras"]
    assert (cameras.added, cameras.updated, cameras.deactivated) == (0, 0, 1)
    assert cameras.unchanged == len(small_site.cameras) - 1
    with Session(migrated_engine) as session:
        assert session.get_one(Camera, removed).active is False
    assert _count(migrated_engine, Camera) == len(small_site.cameras)
    assert _count(migrated_engine, Camera, active=True) == len(small_site.cameras) - 1

    back = sync(migrated_engine, small_site)

    assert (back.tables["cameras"].updated, back.tables["cameras"].deactivated) == (1, 0)
    with Session(migrated_engine) as session:
        assert session.get_one(Camera, removed).active is True


def test_changed_camera_is_updated_in_place(migrated_engine: Engine, small_site: SiteConfig) -> None:
    sync(migrated_engine, small_site)
    other_micro_grid = next(m.id for m in small_site.micro_grids if m.id != small_site.cameras[0].micro_grid)

    def move_first_camera(data: dict[str, Any]) -> None:
        data["cameras"][0]["name"] = "改名后的摄像头"
        data["cameras"][0]["micro_grid"] = other_micro_grid

    report = sync(migrated_engine, edited(small_site, move_first_camera))

    assert (report.tables["cameras"].added, report.tables["cameras"].updated) == (0, 1)
    with Session(migrated_engine) as session:
        camera = session.get_one(Camera, small_site.cameras[0].id)
        assert (camera.name, camera.micro_grid_id) == ("改名后的摄像头", other_micro_grid)


def test_removed_worker_is_deactivated_and_back_again(
    migrated_engine: Engine, small_site: SiteConfig
) -> None:
    sync(migrated_engine, small_site)
    worker = next(
        person
        for micro_grid in small_site.micro_grids
        if len(workers := small_site.workers_of(micro_grid.id)) > 1
        for person in workers
    )

    def drop_worker(data: dict[str, Any]) -> None:
        data["people"] = [p for p in data["people"] if p["id"] != worker.id]
        for roster in data["rosters"]:
            roster["shifts"] = [s for s in roster["shifts"] if s["person"] != worker.id]

    report = sync(migrated_engine, edited(small_site, drop_worker))

    assert (report.tables["people"].deactivated, report.tables["people"].updated) == (1, 0)
    with Session(migrated_engine) as session:
        row = session.get_one(Person, worker.id)
        assert (row.active, row.name) == (False, worker.name)  # kept, for the cases they worked

    back = sync(migrated_engine, small_site)

    assert (back.tables["people"].updated, back.tables["people"].deactivated) == (1, 0)
    with Session(migrated_engine) as session:
        assert session.get_one(Person, worker.id).active is True


def test_grid_levels_and_roles_match_the_configuration() -> None:
    assert {level.value for level in GridLevel} == {level.value for level in ConfigGridLevel}
    assert {role.value for role in PersonRole} == {role.value for role in Role}


def test_database_rejects_a_person_in_an_unknown_grid(
    migrated_engine: Engine, small_site: SiteConfig
) -> None:
    sync(migrated_engine, small_site)
    with Session(migrated_engine) as session, pytest.raises(IntegrityError):
        session.add(
            Person(
                id="p-nowhere",
                site_id=small_site.site.id,
                name="无网格",
                role=PersonRole.WORKER,
                grid_id="no-such-grid",
                channels=[],
            )
        )
        session.flush()


def test_database_rejects_a_grid_without_parent_below_town(
    migrated_engine: Engine, small_site: SiteConfig
) -> None:
    sync(migrated_engine, small_site)
    with Session(migrated_engine) as session, pytest.raises(IntegrityError):
        session.add(Grid(id="mg-orphan", site_id=small_site.site.id, level=GridLevel.MICRO_GRID, name="孤儿"))
        session.flush()


def test_ids_of_another_site_are_refused(migrated_engine: Engine, small_site: SiteConfig) -> None:
    sync(migrated_engine, small_site)
    data = small_site_data(dataclasses.replace(SMALL_SPEC, seed=8))
    data["site"]["id"] = "another-town"

    with pytest.raises(SiteSyncError, match=r"belongs to site .* not to 'another-town'"):
        sync(migrated_engine, site_from(data))
    with Session(migrated_engine) as session:  # the failed sync wrote nothing
        for model in (Department, Grid, Camera, Person, EventClass):
            assert not session.scalars(select(model).where(model.site_id == "another-town")).all()


@pytest.mark.skipif(not EXAMPLE_SITE.exists(), reason=f"{EXAMPLE_SITE} is not there yet")
def test_example_site_syncs_with_counts_equal_to_the_configuration(migrated_engine: Engine) -> None:
    site = load_site(EXAMPLE_SITE)

    first = sync(migrated_engine, site)
    second = sync(migrated_engine, site)

    expected = _expected_counts(site)
    assert {name: first.tables[name].added for name in expected} == expected
    assert {name: second.tables[name].unchanged for name in expected} == expected
    assert not second.changed
