"""`gridwatch bench`: benchmarks of the pipeline's components, one subcommand each (`bench ingest`, ...).

Another component adds its benchmark by writing a ``register_<name>(benches)`` function and listing it in
``BENCHES``; every benchmark writes a JSON report with ``--json OUT`` and prints progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from app.cli import detect_cmd, streams_cmd
from app.cli.types import Subparsers


def register(subparsers: Subparsers) -> None:
    """Register ``bench`` and its subcommands."""
    bench = subparsers.add_parser(
        "bench", help="measure a component; ratios against a baseline of the same run"
    )
    benches = bench.add_subparsers(dest="bench_what", metavar="COMPONENT", required=True)
    for register_bench in BENCHES:
        register_bench(benches)


def register_ingest(benches: Subparsers) -> None:
    """``bench ingest``: key-frame-only versus full decoding on the same stream."""
    parser = benches.add_parser(
        "ingest",
        help="CPU per sampled frame, key-frame-only vs full decoding, and memory per camera",
        description=(
            "Decode the same stream with key-frame-only and with full decoding through the camera worker, "
            "sampling at --sample-fps; report CPU seconds per sampled frame, their ratio, frames per "
            "second one core can sample and memory per camera. Without --source a 1080p 25 fps clip with a "
            "key frame every 2 s is generated first."
        ),
    )
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the report here")
    parser.add_argument(
        "--source", default=None, help="video file or stream URL to measure instead of the clip"
    )
    parser.add_argument("--sample-fps", type=float, default=1.0, help="sampling rate (default 1)")
    parser.add_argument("--clip-seconds", type=float, default=30.0, help="length of the generated clip")
    parser.add_argument("--gop-s", type=float, default=2.0, help="key frame interval of the generated clip")
    parser.add_argument(
        "--live-seconds", type=float, default=20.0, help="seconds per mode for a live --source"
    )
    parser.add_argument("--memory-cameras", type=int, default=8, help="cameras run at once to measure memory")
    parser.add_argument("--memory-seconds", type=float, default=6.0, help="how long they run")
    parser.add_argument("--max-side", type=int, default=960, help="longest side of sampled frames")
    parser.set_defaults(handler=_run_ingest_bench)


def _run_ingest_bench(args: argparse.Namespace) -> int:
    import logging

    from ingest.bench import BenchOptions, run_bench
    from ingest.clips import ClipSpec

    logging.basicConfig(level=logging.ERROR)
    if args.sample_fps <= 0 or args.clip_seconds <= 0 or args.gop_s <= 0 or args.memory_cameras < 1:
        print(
            "error: --sample-fps, --clip-seconds, --gop-s and --memory-cameras must be positive",
            file=sys.stderr,
        )
        return 2
    options = BenchOptions(
        source=args.source,
        sample_fps=args.sample_fps,
        clip=ClipSpec(seconds=args.clip_seconds, gop_s=args.gop_s, noise=4),
        live_seconds=args.live_seconds,
        memory_cameras=args.memory_cameras,
        memory_seconds=args.memory_seconds,
        max_side=args.max_side,
    )
    report = run_bench(options)
    text = json.dumps(report, indent=2)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    ratio = report["keyframe_to_full_ratio"]
    print(
        f"keyframe {report['keyframe_cpu_s_per_frame'] * 1000:.1f} ms vs full "
        f"{report['full_cpu_s_per_frame'] * 1000:.1f} ms CPU per sampled frame: ratio {ratio:.3f} "
        f"(target <= {report['target_ratio']}); memory {report['memory_per_camera_mib']:.1f} MiB per camera"
    )
    return 0


#: Every benchmark's registration; add yours here.
def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def register_feedback(benches: Subparsers) -> None:
    """``bench feedback``: the learning loop through the real dispatch workflow, on composed scenes."""
    parser = benches.add_parser(
        "feedback",
        help="the learning loop on labelled composed scenes: replay, cases decided in a real dispatch core "
        "(reject / verify), labels, export, verifier training, held-out replay with and without it",
    )
    parser.add_argument(
        "--site", type=Path, required=True, help="the scenes' site (a full site: dispatch runs)"
    )
    parser.add_argument("--camera", required=True, help="the camera the scenes stand for")
    parser.add_argument("--train", type=Path, action="append", required=True, help="a composed scene folder")
    parser.add_argument("--test", type=Path, required=True, help="the held-out composed scene folder")
    parser.add_argument("--out", type=Path, required=True, help="a new folder for everything it makes")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="also write the report here")
    parser.set_defaults(handler=_run_feedback_bench)


def _run_feedback_bench(args: argparse.Namespace) -> int:
    from app.bench.feedback import run_feedback

    try:
        report = run_feedback(args.site, args.camera, args.train, args.test, args.out, _say)
    except ValueError as error:
        print(f"gridwatch bench feedback: error: {error}", file=sys.stderr)
        return 2
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


BENCHES: tuple[Callable[[Subparsers], None], ...] = (
    register_ingest,
    register_feedback,
    detect_cmd.register_bench,
    streams_cmd.register_bench,
)
