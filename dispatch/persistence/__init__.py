"""The dispatch database: tables, engines, migrations, and the copy of the site configuration.

- :mod:`~dispatch.persistence.base`: the declarative base and its constraint naming convention.
- :mod:`~dispatch.persistence.site_tables`: grids, departments, cameras, people, event classes (what cases
  refer to; read for the names of what left the configuration, see :mod:`dispatch.site_names`).
- :mod:`~dispatch.persistence.engine`: :func:`make_engine` (SQLite by default, PostgreSQL by URL).
- :mod:`~dispatch.persistence.migrate`: :func:`upgrade` / :func:`downgrade` with the packaged Alembic scripts.
- :mod:`~dispatch.persistence.site_sync`: :func:`sync_site`, the idempotent upsert of a site configuration.

A new table module must also be listed in :mod:`~dispatch.persistence.all_tables`.
"""

from dispatch.persistence.engine import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    DatabaseUnavailableError,
    DatabaseUrlError,
    check_connection,
    database_url_from_env,
    make_engine,
)
from dispatch.persistence.migrate import current_revision, downgrade, head_revision, upgrade
from dispatch.persistence.site_sync import SiteSyncError, SyncReport, TableCounts, sync_site

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "DatabaseUnavailableError",
    "DatabaseUrlError",
    "SiteSyncError",
    "SyncReport",
    "TableCounts",
    "check_connection",
    "current_revision",
    "database_url_from_env",
    "downgrade",
    "head_revision",
    "make_engine",
    "sync_site",
    "upgrade",
]
