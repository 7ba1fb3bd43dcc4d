"""Alembic environment for the dispatch database, run by :mod:`dispatch.persistence.migrate`.

The caller hands over an open connection in ``config.attributes["connection"]`` (so the engine, with its
SQLite pragmas, is always the one :func:`~dispatch.persistence.engine.make_engine` builds); the
``sqlalchemy.url`` option is the fallback for the ``alembic`` command line.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from dispatch.persistence.all_tables import METADATA
from dispatch.persistence.engine import make_engine
from dispatch.persistence.sqlite_migration import foreign_keys_off_on_sqlite


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )


def run_migrations_offline() -> None:
    """Emit the migration as SQL text (``alembic upgrade --sql``)."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=METADATA,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migration on the connection the caller passed, or on one opened from ``sqlalchemy.url``."""
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _run_on(given)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection passed and no sqlalchemy.url configured for the migration")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run_on(connection)
            connection.commit()
    finally:
        engine.dispose()


def _run_on(connection: Connection) -> None:
    with foreign_keys_off_on_sqlite(connection):
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
