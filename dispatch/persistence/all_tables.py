"""Every table of the dispatch database, gathered so that Alembic compares migrations against all of them.

A new table module must be imported here, or autogenerate will not see it (and will propose to drop it).
"""

from __future__ import annotations

from sqlalchemy import MetaData

from dispatch.persistence import case_tables, label_tables, push_tables, site_tables
from dispatch.persistence.base import Base

TABLE_MODULES = (site_tables, case_tables, push_tables, label_tables)
"""The modules whose tables make up the schema."""

METADATA: MetaData = Base.metadata
"""The schema's metadata, with every table in :data:`TABLE_MODULES` registered on it."""
