"""SQLite migrations run with foreign keys off, and are checked for dangling references afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from dispatch.persistence.engine import make_engine
from dispatch.persistence.sqlite_migration import ForeignKeyViolationError, foreign_keys_off_on_sqlite


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'gw.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        connection.execute(
            text("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))")
        )
        connection.execute(text("INSERT INTO parent VALUES (1)"))
        connection.execute(text("INSERT INTO child VALUES (1, 1)"))
    yield engine
    engine.dispose()


def _foreign_keys(connection: Connection) -> int:
    driver = connection.connection.driver_connection
    assert driver is not None
    value: int = driver.execute("PRAGMA foreign_keys").fetchone()[0]
    return value


def test_a_table_can_be_rebuilt_while_others_refer_to_it(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        with foreign_keys_off_on_sqlite(connection):
            assert _foreign_keys(connection) == 0
            connection.execute(text("CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT)"))
            connection.execute(text("INSERT INTO parent_new (id) SELECT id FROM parent"))
            connection.execute(text("DROP TABLE parent"))
            connection.execute(text("ALTER TABLE parent_new RENAME TO parent"))
            connection.commit()
        assert _foreign_keys(connection) == 1
        assert connection.execute(text("SELECT count(*) FROM child")).scalar_one() == 1


def test_dangling_references_left_by_a_migration_are_an_error(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        with (
            pytest.raises(ForeignKeyViolationError, match=r"1 rows referring to missing rows: child row 1"),
            foreign_keys_off_on_sqlite(connection),
        ):
            connection.execute(text("DELETE FROM parent"))
            connection.commit()
        assert _foreign_keys(connection) == 1
