"""The `gridwatch` command: the composition root of every process.

Each command group lives in its own module with a ``register(subparsers)`` function; nothing runs at import
time, and each command builds what it needs from its arguments when it is invoked.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli import (
    bench_cmd,
    broker_cmd,
    config_cmd,
    db_cmd,
    demo_cmd,
    detect_cmd,
    dispatch_cmd,
    ingest_cmd,
    labels_cmd,
    models_cmd,
    push_cmd,
    replay_cmd,
    run_cmd,
    site_cmd,
    streams_cmd,
    verifier_cmd,
)
from gridwatch import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridwatch",
        description="Gridwatch: street cameras to dispatched, verified cases for micro-grid workers.",
    )
    parser.add_argument("--version", action="version", version=f"gridwatch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (
        config_cmd,
        site_cmd,
        broker_cmd,
        db_cmd,
        models_cmd,
        ingest_cmd,
        detect_cmd,
        streams_cmd,
        dispatch_cmd,
        labels_cmd,
        verifier_cmd,
        replay_cmd,
        demo_cmd,
        bench_cmd,
        push_cmd,
        run_cmd,
    ):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = args.handler
    try:
        code: int = handler(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    sys.exit(main())
