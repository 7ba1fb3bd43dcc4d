"""SQLite foreign-key enforcement is off while a migration rebuilds tables ("batch" mode), and checked after.

On SQLite, ``ALTER TABLE`` can do little, so Alembic's batch mode copies a table into a new one and drops the
old; with ``PRAGMA foreign_keys = ON`` that drop would delete or refuse rows that others refer to. The pragma
can only change outside a transaction, so it is set on the driver connection before the migration's
transaction begins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection


class ForeignKeyViolationError(RuntimeError):
    """A migration left rows that refer to rows that do not exist."""


@contextmanager
def foreign_keys_off_on_sqlite(connection: Connection) -> Iterator[None]:
    """Within the block, SQLite does not enforce foreign keys; after it, any violation raises.

    Does nothing on other backends, or when ``connection`` is already inside a transaction (where SQLite
    ignores the pragma).
    """
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    driver_connection = connection.connection.driver_connection
    if driver_connection is None:  # pragma: no cover - only for a connection already closed
        raise RuntimeError("the SQLite connection is closed")
    driver_connection.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        violations = driver_connection.execute("PRAGMA foreign_key_check").fetchall()
        if violations:
            shown = ", ".join(
                f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in violations[:5]
            )
            raise ForeignKeyViolationError(
                f"the migration left {len(violations)} rows referring to missing rows: {shown}"
            )
    finally:
        driver_connection.execute("PRAGMA foreign_keys = ON")
