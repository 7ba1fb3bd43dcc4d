"""The packaged Alembic migrations: from empty to head and back, and head matching the table models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.domain.states import CaseState
from dispatch.persistence.all_tables import METADATA
from dispatch.persistence.case_tables import CaseRecord
from dispatch.persistence.engine import make_engine
from dispatch.persistence.migrate import current_revision, downgrade, head_revision, upgrade
from dispatch.persistence.site_sync import sync_site
from dispatch.persistence.site_tables import Person
from tests.dispatch.persistence.sites import edited, site_from, small_site_data

SITE_TABLES = {"grids", "departments", "cameras", "people", "event_classes"}
CASE_TABLES = {"cases", "case_history", "case_timers", "deliveries", "photos", "ratings", "api_tokens"}
LABEL_TABLES = {"labels"}
PUSH_TABLES = {"webpush_subscriptions"}
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


@pytest.fixture
def engine(database_url: URL) -> Any:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_upgrade_from_empty_creates_every_table_at_head(engine: Engine) -> None:
    assert _tables(engine) == set()
    assert current_revision(engine) is None

    upgrade(engine)

    assert _tables(engine) == SITE_TABLES | CASE_TABLES | PUSH_TABLES | LABEL_TABLES | {"alembic_version"}
    assert current_revision(engine) == head_revision()


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_head_matches_the_models(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, METADATA)
    assert differences == [], f"the migrations and the models differ; write a revision for: {differences}"


def test_downgrade_to_base_drops_every_table(migrated_engine: Engine) -> None:
    downgrade(migrated_engine, "base")

    assert _tables(migrated_engine) <= {"alembic_version"}
    assert current_revision(migrated_engine) is None


def test_upgrade_by_url_string(database_url: URL) -> None:
    url = database_url.render_as_string(hide_password=False)
    upgrade(url)
    assert current_revision(url) == head_revision()


def test_0004_keeps_owed_deliveries_due_at_once_and_back(engine: Engine) -> None:
    upgrade(engine, "0003")
    with engine.begin() as connection:  # a case as 0003 wrote it (the columns of 0003)
        connection.execute(
            insert(CaseRecord).values(
                id="c1",
                site_id="s",
                incident_id="inc-1",
                class_code="06",
                rule="ebike_parking",
                camera_id="cam-0001",
                zone_id="z-1",
                micro_grid_id="mg-1",
                community_id="cg-1",
                place="here",
                lat=30.0,
                lon=120.0,
                state=CaseState.DISPATCHED,
                assignment_seq=1,
                rework_count=0,
                dwell_s=600.0,
                object_count=3,
                boxes=[],
                incident_revision=1,
                incident_started_at=AT,
                incident_observed_at=AT,
                filed_at=AT,
                updated_at=AT,
                version=1,
            )
        )
    with engine.begin() as connection:  # an owed push as 0003 wrote it
        connection.execute(
            text(
                "INSERT INTO deliveries (dedupe_key, case_id, recipient_id, kind, status, created_at) "
                "VALUES ('c1:new_task:p-002:1:0', 'c1', 'p-002', 'new_task', 'pending', :at)"
            ),
            {"at": AT},
        )

    upgrade(engine)

    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT status, next_attempt_at, channel_index, channel_tries, attempt_log FROM deliveries")
        ).one()
    assert tuple(row) == ("pending", None, 0, 0, None)  # due at once, from the first channel
    downgrade(engine, "0003")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT recipient_id FROM deliveries")).scalar_one() == "p-002"


def test_0005_drops_sites_and_roster_shifts_keeping_what_cases_refer_to_and_back(engine: Engine) -> None:
    site = site_from(small_site_data())
    leaver = next(  # a worker whose micro-grid keeps another one, so the site stays valid without them
        person
        for micro_grid in site.micro_grids
        if len(workers := site.workers_of(micro_grid.id)) > 1
        for person in workers
    )
    upgrade(engine, "0004")
    with engine.begin() as connection:  # what a sync at 0004 wrote besides the tables that stay
        connection.execute(
            text("INSERT INTO sites (id, name, timezone) VALUES (:id, :name, 'Asia/Shanghai')"),
            {"id": site.site.id, "name": site.site.name},
        )
    with Session(engine) as session, session.begin():  # the tables that stay are the same at 0004 and head
        sync_site(session, site)
        session.get_one(Person, leaver.id).active = False  # someone who left, kept for old cases
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO roster_shifts (site_id, person_id, grid_id, weekday, start_minute, end_minute) "
                "VALUES (:site, :person, :grid, 1, 480, 1080)"
            ),
            {"site": site.site.id, "person": leaver.id, "grid": leaver.grid},
        )

    upgrade(engine)

    assert {"sites", "roster_shifts"}.isdisjoint(_tables(engine))
    with Session(engine) as session:
        kept = session.get_one(Person, leaver.id)
        assert (kept.name, kept.active, kept.site_id) == (leaver.name, False, site.site.id)
        assert len(session.scalars(select(Person)).all()) == len(site.people)
    without_leaver = edited(site, lambda data: _drop_person(data, leaver.id))
    with Session(engine) as session, session.begin():
        again = sync_site(session, without_leaver)
    assert not again.changed, str(again)  # the sync at head finds the migrated rows as it left them

    downgrade(engine, "0004")

    assert {"sites", "roster_shifts"} <= _tables(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, name, timezone FROM sites")).all() == [
            (site.site.id, site.site.id, "UTC")  # what the next sync at 0004 overwrites
        ]
        assert connection.execute(text("SELECT count(*) FROM roster_shifts")).scalar_one() == 0
        assert connection.execute(
            text("SELECT name, active FROM people WHERE id = :id"), {"id": leaver.id}
        ).one() == (leaver.name, False)
    with pytest.raises(IntegrityError), engine.begin() as connection:  # the foreign key to sites is back
        connection.execute(
            text("INSERT INTO departments (id, name, site_id, active) VALUES ('d-x', 'x', 'nowhere', true)")
        )

    upgrade(engine)
    assert current_revision(engine) == head_revision()


def _drop_person(data: dict[str, Any], person_id: str) -> None:
    data["people"] = [p for p in data["people"] if p["id"] != person_id]
    for roster in data["rosters"]:
        roster["shifts"] = [s for s in roster["shifts"] if s["person"] != person_id]
