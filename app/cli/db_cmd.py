"""`gridwatch db`: migrate the dispatch database and copy a site configuration into it.

The database is ``--url``, else ``GW_DATABASE_URL``, else the SQLite file ``var/gridwatch.db``. Every problem
with the URL, the database or the site file is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.cli.types import Subparsers
from dispatch.persistence.engine import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    DatabaseUnavailableError,
    DatabaseUrlError,
    database_url_from_env,
    describe_url,
    make_engine,
)
from dispatch.persistence.migrate import current_revision, head_revision, upgrade
from dispatch.persistence.site_sync import SiteSyncError, sync_site
from gridwatch.config import SiteConfigError, load_site

EXIT_USAGE = 2
"""Exit status for a bad URL, an unreachable database, or an unusable site file."""


def register(subparsers: Subparsers) -> None:
    """Register ``gridwatch db upgrade`` and ``gridwatch db sync-site``."""
    parser = subparsers.add_parser(
        "db",
        help="migrate the dispatch database, copy the site configuration into it",
        description=(
            "Migrate the dispatch database and copy a site configuration into it. The database is --url, "
            f"else ${DATABASE_URL_ENV}, else {DEFAULT_DATABASE_URL}; a bad URL, an unreachable database or "
            "an unusable site file is reported on stderr with exit status 2."
        ),
    )
    commands = parser.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)

    upgrade_parser = commands.add_parser(
        "upgrade", help="migrate the database to the newest schema (creating it if needed)"
    )
    _add_url_argument(upgrade_parser)
    upgrade_parser.add_argument(
        "--revision", default="head", help="Alembic revision to migrate to (default: head, the newest)"
    )
    upgrade_parser.set_defaults(handler=run_upgrade)

    sync_parser = commands.add_parser(
        "sync-site",
        help="copy grids, cameras, people, departments and event classes from a site file into the database "
        "(what left the file is kept, inactive, so old cases still name it)",
    )
    sync_parser.add_argument("site_file", type=Path, metavar="SITE.yaml", help="the site configuration")
    _add_url_argument(sync_parser)
    sync_parser.set_defaults(handler=run_sync_site)


def run_upgrade(args: argparse.Namespace) -> int:
    """``gridwatch db upgrade``: migrate and print the revision reached."""
    url = _url(args)
    try:
        upgrade(url, args.revision)
        reached = current_revision(url)
    except (DatabaseUrlError, DatabaseUnavailableError) as error:
        return _fail(str(error))
    except DBAPIError as error:
        return _fail(f"migration failed on {describe_url(url)}: {_first_line(error)}")
    except CommandError as error:  # e.g. an unknown revision
        return _fail(f"cannot migrate to revision {args.revision!r}: {error}")
    print(f"database {describe_url(url)} is at revision {reached or 'base (empty)'}")
    return 0


def run_sync_site(args: argparse.Namespace) -> int:
    """``gridwatch db sync-site SITE.yaml``: upsert the site into a database at the newest revision."""
    try:
        site = load_site(args.site_file)
    except SiteConfigError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_USAGE
    url = _url(args)
    try:
        engine = make_engine(url)
    except (DatabaseUrlError, DatabaseUnavailableError) as error:
        return _fail(str(error))
    try:
        at = current_revision(engine)
        if at != head_revision():
            return _fail(
                f"database {describe_url(url)} is at revision {at or 'base (empty)'}, not {head_revision()}; "
                f"run `gridwatch db upgrade --url {describe_url(url)}` first"
            )
        with Session(engine) as session, session.begin():
            report = sync_site(session, site)
    except (DatabaseUnavailableError, SiteSyncError) as error:
        return _fail(str(error))
    except DBAPIError as error:
        return _fail(f"sync failed on {describe_url(url)}: {_first_line(error)}")
    finally:
        engine.dispose()
    print(report)
    return 0


def _add_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        help=f"database URL (default: ${DATABASE_URL_ENV}, else {DEFAULT_DATABASE_URL}); "
        "e.g. postgresql+psycopg://user@host:5432/gridwatch",
    )


def _url(args: argparse.Namespace) -> str:
    given: str | None = args.url
    return given if given is not None else database_url_from_env()


def _first_line(error: DBAPIError) -> str:
    text = str(error.orig).strip() or type(error.orig).__name__
    return text.splitlines()[0]


def _fail(message: str) -> int:
    print(f"gridwatch db: error: {message}", file=sys.stderr)
    return EXIT_USAGE
