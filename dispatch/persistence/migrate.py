"""Run the dispatch database's Alembic migrations from Python (no ``alembic.ini`` needed).

The migration scripts ship inside the package (``dispatch/persistence/migrations``), so an installed
Gridwatch can upgrade its database with ``gridwatch db upgrade`` or :func:`upgrade`.

To write a new revision after changing the tables (the tables must also be imported in ``all_tables.py``)::

    python -c "from dispatch.persistence.migrate import autogenerate_revision as r; \\
               print(r('sqlite:///var/dev.db', 'add cases'))"

then read the generated file under ``migrations/versions/`` and fix what autogenerate cannot know.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL, Connection

from dispatch.persistence.engine import check_connection, make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
"""Where ``env.py``, ``script.py.mako`` and ``versions/`` live."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the packaged migrations, bound to ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the packaged migrations define."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships at least one revision
        raise RuntimeError(f"no migration revisions found under {MIGRATIONS_DIR}")
    return head


def upgrade(database: str | URL | Engine, revision: str = "head") -> None:
    """Migrate the database forward to ``revision`` (default: the newest).

    ``database`` is a URL (an engine is made and disposed of here) or an engine to use. Raises
    :class:`~dispatch.persistence.engine.DatabaseUrlError` or
    :class:`~dispatch.persistence.engine.DatabaseUnavailableError` when the database cannot be used.
    """
    with _connection(database) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(database: str | URL | Engine, revision: str = "base") -> None:
    """Migrate the database back to ``revision`` (default: ``base``, dropping every table)."""
    with _connection(database) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(database: str | URL | Engine) -> str | None:
    """The revision the database is at, or ``None`` if it has never been migrated."""
    with _connection(database) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def autogenerate_revision(database: str | URL | Engine, message: str) -> Path:
    """Write a new revision file with the differences between the tables and a database at head.

    The database is upgraded to head first. Returns the path of the file written; review it before committing.
    """
    if not message.strip():
        raise ValueError("a revision needs a message saying what it changes")
    upgrade(database)
    with _connection(database) as connection:
        script = command.revision(alembic_config(connection), message=message, autogenerate=True)
    if script is None or isinstance(script, list):  # pragma: no cover - single head, single script
        raise RuntimeError("alembic did not write exactly one revision")
    return Path(script.path)


@contextmanager
def _connection(database: str | URL | Engine) -> Iterator[Connection]:
    engine = database if isinstance(database, Engine) else make_engine(database)
    try:
        check_connection(engine)
        with engine.connect() as connection:
            yield connection
            if connection.in_transaction():
                connection.commit()
    finally:
        if engine is not database:
            engine.dispose()
