"""`gridwatch dispatch`: the dispatcher (incidents → cases → tasks on phones; API), and its API tokens.

- ``gridwatch dispatch [--site SITE.yaml]`` runs the consumer of gw.incidents, the timer loop and the API;
- ``gridwatch dispatch tokens issue --person ID`` prints a new API token for a person (only its hash is kept);
- ``gridwatch dispatch tokens revoke --person ID`` revokes every token of a person.

This module parses arguments and loads the site, settings and database; the dispatch process is wired and run
by its bootstrap, :mod:`app.bootstrap.dispatch`. Problems with the site file, the database or the settings are
one message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.logs import configure_logging
from app.cli.site_option import add_site_option
from app.cli.types import Subparsers

EXIT_USAGE = 2


def register(subparsers: Subparsers) -> None:
    """Register ``gridwatch dispatch`` and ``gridwatch dispatch tokens issue|revoke``."""
    parser = subparsers.add_parser(
        "dispatch",
        help="run the dispatcher: incidents to cases, tasks to phones, timers, the API",
        description="Consumes gw.incidents, files a case per incident, dispatches it to the worker on duty, "
        "escalates on working-hour deadlines, verifies by camera, and serves the API (OpenAPI at /docs).",
    )
    _common(parser)
    parser.add_argument("--host", default=None, help="API address (default: $GW_DISPATCH_HOST or 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=None, help="API port (default: $GW_DISPATCH_PORT or 8600)"
    )
    parser.add_argument(
        "--public-url",
        default=None,
        help="URL phones reach the API at (default: $GW_DISPATCH_PUBLIC_BASE_URL)",
    )
    parser.add_argument(
        "--push-config",
        type=Path,
        default=Path(os.environ["GW_PUSH_CONFIG"]) if os.environ.get("GW_PUSH_CONFIG") else None,
        help="push channel settings file (default: $GW_PUSH_CONFIG; none: pushes are recorded as failed)",
    )
    parser.set_defaults(handler=_serve)
    commands = parser.add_subparsers(dest="dispatch_command", metavar="DISPATCH_COMMAND")
    tokens = commands.add_parser("tokens", help="issue or revoke API tokens")
    token_commands = tokens.add_subparsers(dest="tokens_command", metavar="TOKENS_COMMAND", required=True)
    issue = token_commands.add_parser("issue", help="print a new API token for a person")
    _common(issue)
    issue.add_argument("--person", required=True, help="person id from the site file")
    issue.add_argument("--label", default=None, help="what the token is for, e.g. phone of p-002")
    issue.set_defaults(handler=_issue)
    revoke = token_commands.add_parser("revoke", help="revoke every API token of a person")
    _common(revoke)
    revoke.add_argument("--person", required=True, help="person id from the site file")
    revoke.set_defaults(handler=_revoke)


def _common(parser: argparse.ArgumentParser) -> None:
    add_site_option(parser)
    parser.add_argument(
        "--database-url", default=None, help="database URL (default: $GW_DATABASE_URL or SQLite)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="photos and keys (default: $GW_DATA_DIR or var)"
    )


def _fail(message: str) -> int:
    print(f"gridwatch dispatch: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load(args: argparse.Namespace) -> tuple[Any, Any, Any] | int:
    """(site, settings, engine) or an exit status."""
    from pydantic import ValidationError

    from dispatch.persistence.engine import (
        DatabaseUnavailableError,
        DatabaseUrlError,
        check_connection,
        database_url_from_env,
        make_engine,
    )
    from dispatch.persistence.migrate import upgrade
    from dispatch.settings import DispatchSettings
    from gridwatch.config import SiteConfigError, load_site

    try:
        site = load_site(args.site)
    except SiteConfigError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_USAGE
    overrides = {
        "data_dir": args.data_dir,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "public_base_url": getattr(args, "public_url", None),
    }
    try:
        settings = DispatchSettings.from_env(**overrides)
    except ValidationError as error:
        return _fail(f"bad dispatch settings: {error}")
    try:
        engine = make_engine(args.database_url or database_url_from_env())
        check_connection(engine)
        upgrade(engine)
    except (DatabaseUrlError, DatabaseUnavailableError) as error:
        return _fail(str(error))
    return site, settings, engine


def _issue(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from dispatch.clock import system_clock
    from dispatch.tokens import issue_token

    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    site, _settings, engine = loaded
    try:
        site.person(args.person)
    except KeyError:
        return _fail(f"no person {args.person} in {args.site}")
    try:
        with Session(engine) as session, session.begin():
            token = issue_token(session, args.person, system_clock(), args.label)
    finally:
        engine.dispose()
    print(token)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from dispatch.clock import system_clock
    from dispatch.tokens import revoke_tokens

    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    _site, _settings, engine = loaded
    try:
        with Session(engine) as session, session.begin():
            count = revoke_tokens(session, args.person, system_clock())
    finally:
        engine.dispose()
    print(f"revoked {count} token(s) of {args.person}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Load the site, settings and database; run the dispatch process's bootstrap."""
    from app.bootstrap.dispatch import DispatchSetupError, run_dispatch

    configure_logging(logging.INFO)
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    site, settings, engine = loaded
    try:
        return run_dispatch(site, settings, engine, push_config=args.push_config)
    except DispatchSetupError as error:
        return _fail(str(error))
