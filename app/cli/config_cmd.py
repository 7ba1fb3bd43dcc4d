"""`gridwatch config check PATH`: validate a site file, one line per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.types import Subparsers
from gridwatch.config import SiteConfigError, load_site

EXIT_INVALID = 2


def check(args: argparse.Namespace) -> int:
    """Validate the site file; print a summary (exit 0) or every problem to stderr (exit 2)."""
    path: Path = args.path
    try:
        site = load_site(path)
    except SiteConfigError as exc:
        for problem in exc.problems:
            print(problem.render(path), file=sys.stderr)
        return EXIT_INVALID
    from detectors.backends.site_models import unknown_models
    from detectors.camera_zones import SiteCameras

    models = unknown_models(SiteCameras.from_site(site))
    for line in models:
        print(f"{path}: {line}", file=sys.stderr)
    if models:
        return EXIT_INVALID
    print(f"OK: {site.summary()}")
    return 0


def register(subparsers: Subparsers) -> None:
    """Add `gridwatch config` and its subcommands."""
    parser = subparsers.add_parser("config", help="work with site configuration files")
    commands = parser.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)
    check_parser = commands.add_parser(
        "check",
        help="validate a site file",
        description="Validate a site file. Exit 0 when valid; exit 2 with one line per problem otherwise.",
    )
    check_parser.add_argument(
        "path", type=Path, metavar="PATH", help="site YAML file, e.g. examples/site.yaml"
    )
    check_parser.set_defaults(handler=check)
