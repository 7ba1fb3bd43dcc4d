"""The packaged Alembic migrations: from empty to head and back, and head matching the table models."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from dispatch.persistence.all_tables import METADATA
from dispatch.persistence.engine import make_engine
from dispatch.persistence.migrate import current_revision, downgrade, head_revision, upgrade

SITE_TABLES = {"sites", "grids", "departments", "cameras", "people", "roster_shifts", "event_classes"}
CASE_TABLES = {"cases", "case_history", "case_timers", "deliveries", "photos", "ratings", "api_tokens"}
PUSH_TABLES = {"webpush_subscriptions"}


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

    assert _tables(engine) == SITE_TABLES | CASE_TABLES | PUSH_TABLES | {"alembic_version"}
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
