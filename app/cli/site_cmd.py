"""`gridwatch site generate`: write a full-size valid site file for load tests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.types import Subparsers
from app.site_generator import SiteSpec, SourceMix, dump_site_yaml, generate_site
from gridwatch.config import SiteConfig, SiteConfigError


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def generate(args: argparse.Namespace) -> int:
    """Generate, validate and write the site; exit 0, or 1 when the generator made an invalid site."""
    spec = SiteSpec(
        cameras=args.cameras,
        micro_grids=args.micro_grids,
        seed=args.seed,
        micro_grids_per_community=args.per_community,
        sources=SourceMix(args.sources),
    )
    data = generate_site(spec)
    try:
        site = SiteConfig.model_validate(data)
    except SiteConfigError as exc:  # a generator bug: say so rather than write a broken file
        print(f"generated site is invalid (a bug in the generator):\n{exc.report()}", file=sys.stderr)
        return 1
    text = dump_site_yaml(data)
    out: str = args.out
    if out == "-":
        sys.stdout.write(text)
    else:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}: {site.summary()}", file=sys.stderr)
    return 0


def register(subparsers: Subparsers) -> None:
    """Add `gridwatch site` and its subcommands."""
    parser = subparsers.add_parser("site", help="generate site files")
    commands = parser.add_subparsers(dest="site_command", metavar="SUBCOMMAND", required=True)
    gen = commands.add_parser(
        "generate",
        help="write a full-size valid site file (deterministic for a seed)",
        description="Write a full-size valid site YAML for load tests; the same seed gives the same file.",
    )
    gen.add_argument("--cameras", type=_positive, default=1150, help="number of cameras (default 1150)")
    gen.add_argument("--micro-grids", type=_positive, default=170, help="number of micro-grids (default 170)")
    gen.add_argument(
        "--per-community", type=_positive, default=12, help="micro-grids per community (default 12)"
    )
    gen.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    gen.add_argument(
        "--sources",
        choices=[mix.value for mix in SourceMix],
        default=SourceMix.MIXED.value,
        help="camera sources: mixed (rtsp, http snapshots, files), file or image_folder (default mixed)",
    )
    gen.add_argument("--out", default="-", metavar="PATH", help="file to write; - for stdout (default)")
    gen.set_defaults(handler=generate)
