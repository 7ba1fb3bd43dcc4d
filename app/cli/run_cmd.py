"""`gridwatch run`: the main job on the embedded default (embedded broker, SQLite, every component)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.cli.site_option import add_site_option
from app.cli.types import Subparsers
from gridwatch.runtime.ports import port_taken

DEFAULT_BROKER_PORT = 9092


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the whole pipeline on the embedded default (broker, SQLite, every component)",
        description="Starts the embedded broker, creates the topics, migrates the database, loads the site "
        "and starts every component; stops cleanly on Ctrl-C.",
    )
    add_site_option(parser)
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $GW_DATABASE_URL or a SQLite file in the data directory)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("var"),
        help="where logs, the database and evidence go (default: var)",
    )
    parser.add_argument(
        "--broker-port",
        type=int,
        default=DEFAULT_BROKER_PORT,
        help=f"embedded broker port (default {DEFAULT_BROKER_PORT}, a free one if taken; 0: any free port)",
    )
    parser.add_argument(
        "--dispatch-port",
        type=int,
        default=None,
        help="dispatch API port (default: $GW_DISPATCH_PORT or 8600, a free one if taken; 0: any free port)",
    )
    parser.add_argument(
        "--no-links",
        dest="page_links",
        action="store_false",
        help="do not issue tokens for the ready-made phone-page and dashboard links",
    )
    parser.add_argument(
        "--no-loop-footage",
        dest="loop_footage",
        action="store_false",
        help="read file and image-folder cameras as their site entries say (by default they loop, image "
        "folders as live snapshot cameras, so that no camera goes offline because its footage ran out)",
    )
    parser.add_argument(
        "--exit-after", type=float, default=None, metavar="SECONDS", help="stop by itself after this long"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from app.runtime.dispatch_address import DispatchAddressError, resolve_dispatch_address
    from app.runtime.main_job import MainJobOptions, run_main_job
    from gridwatch.config import SiteConfigError, load_site
    from gridwatch.runtime.stop_signals import stop_on_signals

    try:
        site = load_site(args.site)
    except SiteConfigError as error:
        print(error.report(), file=sys.stderr)
        return 2
    if args.exit_after is not None and args.exit_after <= 0:
        print(f"--exit-after must be positive, got {args.exit_after}", file=sys.stderr)
        return 2
    port: int | None = args.broker_port
    if port == 0:
        port = None
    elif port is not None and not 0 < port < 65536:
        print(f"--broker-port {port} is outside 1..65535", file=sys.stderr)
        return 2
    elif port is not None and port_taken("127.0.0.1", port):
        print(f"port {port} is taken; the embedded broker will use a free port instead", file=sys.stderr)
        port = None
    try:
        dispatch = resolve_dispatch_address(os.environ, args.dispatch_port)
    except DispatchAddressError as error:
        print(error, file=sys.stderr)
        return 2
    data_dir: Path = args.data_dir
    database_url = (
        args.database_url or os.environ.get("GW_DATABASE_URL") or f"sqlite:///{data_dir / 'gridwatch.db'}"
    )
    options = MainJobOptions(
        site_path=args.site.resolve(),
        database_url=database_url,
        data_dir=data_dir.resolve(),
        broker_port=port,
        exit_after_s=args.exit_after,
        dispatch=dispatch,
        page_links=args.page_links,
        loop_footage=args.loop_footage,
    )
    with stop_on_signals() as stop:
        return run_main_job(options, site, stop=stop)
