"""`gridwatch streams` (the faust worker running the zone rules) and `gridwatch bench streams`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli.site_option import add_site_option
from app.cli.types import Subparsers


def register(subparsers: Subparsers) -> None:
    """Register ``streams``."""
    parser = subparsers.add_parser(
        "streams",
        help="run the streams worker: zone rules over gw.detections, incidents to gw.incidents",
        description="A faust worker: consumes gw.detections keyed by camera, keeps camera rule state in a "
        "table backed by a changelog topic, publishes new/update/end incidents to gw.incidents.",
    )
    add_site_option(parser)
    parser.add_argument(
        "--bootstrap", default=None, help="broker host:port list (default: $GW_KAFKA_BOOTSTRAP)"
    )
    parser.add_argument(
        "--app-id", default=None, help="faust app id / consumer group (default: gridwatch-streams)"
    )
    parser.add_argument("--log-level", default="WARNING", help="worker log level (default: %(default)s)")
    parser.add_argument(
        "--commit-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between offset commits (default: 2)",
    )
    parser.set_defaults(handler=run_streams)


def register_bench(bench_subparsers: Subparsers) -> None:
    """Register ``streams`` under the ``bench`` group."""
    parser = bench_subparsers.add_parser(
        "streams",
        help="one streams worker fed simulated cameras: detections/s, CPU share, latency to incident",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="OUT", help="write the figures to this file"
    )
    parser.add_argument("--cameras", type=int, default=1150, help="simulated cameras (default: %(default)s)")
    parser.add_argument(
        "--fps", type=float, default=1.0, help="frames per second per camera (default: %(default)s)"
    )
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="measured feed duration (default: %(default)s)"
    )
    parser.add_argument(
        "--cycle",
        type=int,
        default=120,
        metavar="SECONDS",
        help="each camera has one parking episode (new + end) per cycle (default: %(default)s)",
    )
    parser.add_argument(
        "--bootstrap", default=None, help="use this broker instead of starting an embedded one"
    )
    parser.set_defaults(handler=run_bench)


def run_streams(args: argparse.Namespace) -> int:
    """Build the app for the site and run the worker until stopped."""
    from pydantic import ValidationError

    from app.bootstrap.streams import build_app, run_worker
    from gridwatch.broker import KafkaSettings
    from gridwatch.config import SiteConfigError, load_site
    from streams.settings import StreamsSettings
    from streams.topics import ensure_stream_topics

    try:
        site = load_site(args.site)
    except SiteConfigError as error:
        print(error.report(), file=sys.stderr)
        return 2
    try:
        kafka = (
            KafkaSettings.from_env()
            if args.bootstrap is None
            else KafkaSettings.from_env(bootstrap_servers=args.bootstrap)
        )
        overrides: dict[str, object] = {"log_level": args.log_level}
        if args.app_id:
            overrides["app_id"] = args.app_id
        if args.commit_interval is not None:
            overrides["commit_interval_s"] = args.commit_interval
        settings = StreamsSettings.model_validate(overrides)
    except ValidationError as error:
        print(f"gridwatch streams: {error}", file=sys.stderr)
        return 2
    ensure_stream_topics(kafka, settings)
    return run_worker(build_app(site, kafka, settings), settings.log_level)


def run_bench(args: argparse.Namespace) -> int:
    """Run the streams benchmark and print (and optionally write) its figures."""
    from app.bench.streams_bench import BenchOptions, run_streams_bench

    options = BenchOptions(
        cameras=args.cameras, fps=args.fps, seconds=args.seconds, bootstrap=args.bootstrap, cycle_s=args.cycle
    )
    figures = run_streams_bench(options, out=sys.stderr)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app.cli.streams_cmd ARGS``: the streams command alone (tests)."""
    parser = argparse.ArgumentParser(prog="gridwatch")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["streams", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.handler(args)
    return code


if __name__ == "__main__":  # pragma: no cover - a process entry point
    sys.exit(main())
