"""`gridwatch site generate`: write a full-size valid site file for load tests; `gridwatch site dismiss`: add
a dismissed spot (a rule exception polygon) to a camera, as a reviewed diff."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from app.cli.types import Subparsers
from app.site_generator import SiteSpec, SourceMix, dump_site_yaml, generate_site
from gridwatch.config import SiteConfig, SiteConfigError, SpotException, load_site
from gridwatch.config.spots import SpotEditError, add_spot


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

    dismiss_parser = commands.add_parser(
        "dismiss",
        help="dismiss a spot on a camera (a bike rack, a licensed stall): rules raise nothing there",
        description="Add an exception polygon to a camera in the site YAML and print the change as a "
        "unified diff for review; validated as a site first; written only with --write.",
    )
    dismiss_parser.add_argument("site_file", type=Path, metavar="SITE.yaml")
    dismiss_parser.add_argument("--camera", required=True, help="the camera's id")
    dismiss_parser.add_argument(
        "--polygon",
        required=True,
        type=_polygon,
        help='the spot in the camera\'s native pixels: "x,y x,y x,y ..." (at least 3 points)',
    )
    dismiss_parser.add_argument(
        "--rule",
        action="append",
        default=[],
        help="a rule kind it silences (repeatable; default: every rule)",
    )
    dismiss_parser.add_argument("--reason", required=True, help="why, e.g. 非机动车停放点 or 持证摊位")
    dismiss_parser.add_argument(
        "--until", type=_moment, default=None, help="ISO time it ends (default: never)"
    )
    dismiss_parser.add_argument("--id", default=None, help="exception id (default: spot-N)")
    dismiss_parser.add_argument("--by", default=None, help="who dismisses it (a person id)")
    dismiss_parser.add_argument("--write", action="store_true", help="write the file (default: only show)")
    dismiss_parser.set_defaults(handler=dismiss)


def _polygon(text: str) -> tuple[tuple[float, float], ...]:
    try:
        points = tuple((float(x), float(y)) for x, y in (pair.split(",") for pair in text.split()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not 'x,y x,y x,y ...'") from None
    if len(points) < 3:
        raise argparse.ArgumentTypeError(f"a spot needs at least 3 points, got {len(points)}")
    return points


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date or time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone (e.g. 2027-01-01T00:00+08:00)")
    return moment


def dismiss(args: argparse.Namespace) -> int:
    """Show (and with --write, write) the site with one more dismissed spot; exit 2 on any problem."""
    try:
        text = args.site_file.read_text(encoding="utf-8")
        site = load_site(args.site_file)
    except OSError as error:
        print(f"gridwatch site dismiss: error: {error}", file=sys.stderr)
        return 2
    except SiteConfigError as error:
        print(error.report(), file=sys.stderr)
        return 2
    camera = next((c for c in site.cameras if c.id == args.camera), None)
    taken = {spot.id for spot in camera.exceptions} if camera is not None else set()
    spot_id = args.id or next(f"spot-{n}" for n in range(1, len(taken) + 2) if f"spot-{n}" not in taken)
    try:
        spot = SpotException(
            id=spot_id,
            polygon=args.polygon,
            rules=tuple(args.rule),
            reason=args.reason,
            until=args.until,
            by=args.by,
            at=datetime.now(UTC).replace(microsecond=0),
        )
        new, diff = add_spot(text, args.camera, spot, args.site_file)
    except (ValidationError, SpotEditError) as error:
        print(f"gridwatch site dismiss: error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(diff)
    if args.write:
        args.site_file.write_text(new, encoding="utf-8")
        print(f"wrote {args.site_file}", file=sys.stderr)
    return 0
