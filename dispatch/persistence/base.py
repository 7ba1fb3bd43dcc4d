"""The declarative base every dispatch table derives from.

Constraint names follow one convention so that Alembic migrations name (and can later drop or alter) the same
constraint on SQLite and PostgreSQL alike, instead of relying on each backend's generated names.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint and index names; check constraints must be given a short ``name`` that this prefixes."""

ID_LENGTH = 64
"""Longest identifier (grid, camera, person, department id from the site configuration) the tables hold."""


class Base(DeclarativeBase):
    """Base of every table; its ``metadata`` is what Alembic compares migrations against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
