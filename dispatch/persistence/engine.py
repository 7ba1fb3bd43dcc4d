"""Engines for the dispatch database: a SQLite file by default, PostgreSQL by URL.

Nothing connects until asked: :func:`make_engine` only checks the URL and prepares the engine;
:func:`check_connection` is the call that tells an unreachable database apart from a working one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry

DATABASE_URL_ENV = "GW_DATABASE_URL"
"""Environment variable that names the database when no URL is given."""

DEFAULT_DATABASE_URL = "sqlite:///var/gridwatch.db"
"""The database when neither an argument nor :data:`DATABASE_URL_ENV` names one (relative to the cwd)."""

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a SQLite connection waits for another writer before failing with "database is locked"."""

_POSTGRESQL_DRIVER = "postgresql+psycopg"


class DatabaseUrlError(ValueError):
    """The database URL cannot be parsed, or names a backend Gridwatch does not support."""


class DatabaseUnavailableError(RuntimeError):
    """The database URL is valid but the database cannot be reached or opened."""


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The URL in ``GW_DATABASE_URL`` (in ``environ``, default the process environment), else the default."""
    env = os.environ if environ is None else environ
    value = env.get(DATABASE_URL_ENV, "").strip()
    return value or DEFAULT_DATABASE_URL


def parse_database_url(url: str | URL) -> URL:
    """Parse and normalise a database URL, naming what is wrong with it if it is not usable.

    ``postgresql://`` and ``postgres://`` are taken to mean the psycopg 3 driver, the one Gridwatch installs.
    """
    if isinstance(url, str):
        if not url.strip():
            raise DatabaseUrlError("database URL is empty")
        try:
            parsed = make_url(url.strip())
        except ArgumentError as error:
            raise DatabaseUrlError(
                f"database URL {url!r} is not a valid SQLAlchemy URL "
                "(expected e.g. sqlite:///var/gridwatch.db or postgresql+psycopg://user@host:5432/name)"
            ) from error
    else:
        parsed = url
    backend = parsed.get_backend_name()  # the part before "+": loads no dialect
    if backend in {"postgresql", "postgres"}:
        if parsed.drivername not in {"postgresql", "postgres", _POSTGRESQL_DRIVER}:
            raise DatabaseUrlError(
                f"database URL driver {parsed.drivername!r} is not supported; use {_POSTGRESQL_DRIVER}://"
            )
        if not parsed.database:
            raise DatabaseUrlError(f"PostgreSQL URL {_redacted(parsed)} names no database")
        return parsed.set(drivername=_POSTGRESQL_DRIVER)
    if backend == "sqlite":
        if parsed.drivername not in {"sqlite", "sqlite+pysqlite"}:
            raise DatabaseUrlError(
                f"database URL driver {parsed.drivername!r} is not supported; use sqlite:///PATH"
            )
        return parsed
    raise DatabaseUrlError(
        f"database backend {backend!r} in {_redacted(parsed)} is not supported; use sqlite:///PATH "
        f"or {_POSTGRESQL_DRIVER}://user@host:5432/name"
    )


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for ``url`` (see :func:`parse_database_url`); connects lazily.

    SQLite connections get foreign keys ON, WAL journaling (for files), a busy timeout, and real transactions
    (``BEGIN IMMEDIATE`` emitted by SQLAlchemy, so DDL in migrations rolls back on failure). The parent
    directory of a SQLite file is created if missing.

    ``IMMEDIATE``: a transaction takes SQLite's write lock when it begins, waiting up to the busy timeout for
    it. The dispatch process writes from several threads (requests, the incident consumer, the timer, delivery
    and outbox loops); a deferred transaction that read first and writes later would fail at once with
    "database is locked" whenever another thread committed in between (SQLite cannot wait there). Every
    transaction is short and none is held across network calls, so taking the lock early costs little.
    """
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(parsed, echo=echo)
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def check_connection(engine: Engine) -> None:
    """Open one connection and run ``SELECT 1``; raise :class:`DatabaseUnavailableError` naming why not."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        reason = str(error.orig).strip() or type(error.orig).__name__
        raise DatabaseUnavailableError(
            f"cannot reach database {_redacted(engine.url)}: {reason.splitlines()[0]}"
        ) from error


def describe_url(url: str | URL) -> str:
    """The URL as it may be shown to a person: password hidden."""
    return _redacted(make_url(url) if isinstance(url, str) else url)


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names, or ``None`` for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    if url.query.get("uri") in {"true", "1"} or database.startswith("file:"):
        return None  # a URI filename: leave its interpretation to SQLite
    return Path(database)


def _make_sqlite_engine(url: URL, *, echo: bool) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailableError(
                f"cannot create the directory for SQLite database {_redacted(url)}: {error}"
            ) from error
    engine = create_engine(url, echo=echo)
    wal = path is not None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _redacted(url: URL) -> str:
    return url.render_as_string(hide_password=True)
