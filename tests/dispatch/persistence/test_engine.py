"""Database URLs and engines: defaults, normalisation, clear errors, SQLite settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from dispatch.persistence.engine import (
    DEFAULT_DATABASE_URL,
    DatabaseUnavailableError,
    DatabaseUrlError,
    check_connection,
    database_url_from_env,
    make_engine,
    parse_database_url,
)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, DEFAULT_DATABASE_URL),
        ({"GW_DATABASE_URL": "  "}, DEFAULT_DATABASE_URL),
        ({"GW_DATABASE_URL": "postgresql+psycopg://gw@db/gw"}, "postgresql+psycopg://gw@db/gw"),
    ],
)
def test_database_url_from_env(environ: dict[str, str], expected: str) -> None:
    assert database_url_from_env(environ) == expected


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://gw@db:5432/gw", "postgresql+psycopg"),
        ("postgres://gw@db/gw", "postgresql+psycopg"),
        ("postgresql+psycopg://gw@db/gw", "postgresql+psycopg"),
        ("sqlite:///var/gridwatch.db", "sqlite"),
        ("sqlite+pysqlite:///:memory:", "sqlite+pysqlite"),
    ],
)
def test_parse_database_url_normalises_the_driver(url: str, driver: str) -> None:
    assert parse_database_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("", "empty"),
        ("not a url", "not a valid SQLAlchemy URL"),
        ("mysql://gw@db/gw", "backend 'mysql'"),
        ("postgresql+psycopg2://gw@db/gw", "driver 'postgresql+psycopg2' is not supported"),
        ("postgresql+psycopg://gw@db", "names no database"),
        ("sqlite+aiosqlite:///x.db", "driver 'sqlite+aiosqlite' is not supported"),
    ],
)
def test_parse_database_url_names_what_is_wrong(url: str, complaint: str) -> None:
    with pytest.raises(DatabaseUrlError, match=re.escape(complaint)):
        parse_database_url(url)


def test_unreachable_database_is_reported_without_the_password() -> None:
    engine = make_engine("postgresql+psycopg://gw:s3cret@127.0.0.1:1/gw?connect_timeout=2")
    try:
        with pytest.raises(
            DatabaseUnavailableError, match=r"cannot reach database .*127\.0\.0\.1:1/gw"
        ) as caught:
            check_connection(engine)
        assert "s3cret" not in str(caught.value)
    finally:
        engine.dispose()


def test_sqlite_file_gets_its_directory_foreign_keys_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "gw.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert path.exists()
    finally:
        engine.dispose()


def test_sqlite_rolls_back_ddl(tmp_path: Path) -> None:
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'gw.db'}")
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY)"))
            connection.rollback()
        assert "scratch" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
