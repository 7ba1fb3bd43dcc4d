"""The ``--site`` option the commands that run on a whole site share."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

#: The site a command uses when neither ``--site`` nor ``$GW_SITE`` names one.
EXAMPLE_SITE = "examples/site.yaml"


def add_site_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--site`` (default: ``$GW_SITE``, else the example site)."""
    parser.add_argument(
        "--site",
        type=Path,
        default=Path(os.environ.get("GW_SITE", EXAMPLE_SITE)),
        help=f"site configuration (default: $GW_SITE or {EXAMPLE_SITE})",
    )
