"""`gridwatch detect`: a detector worker; `gridwatch export-model`: .pt weights to ONNX/OpenVINO;
`gridwatch bench detect`: the worker path against a naive loop on the same model and frames.

    gridwatch detect [--site PATH] [--model ID | --model-config YAML | --model-file FILE] [--backend KIND]
                     [--max-batch N] [--max-wait-ms MS] [--evidence never|relevant|always] [--metrics-port P]
    gridwatch export-model WEIGHTS.pt [--format onnx|openvino] [--imgsz 640]
    gridwatch bench detect [--json OUT] [--frames N]

Several `gridwatch detect` processes with the same ``--group-id`` share gw.frames' partitions.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.logs import configure_logging
from app.cli.types import Subparsers
from gridwatch.runtime.metrics_http import DEFAULT_METRICS_HOST
from gridwatch.runtime.stop_signals import stop_on_signals

if TYPE_CHECKING:
    from detectors.backends.factory import BackendChoice
    from detectors.worker.settings import DetectWorkerSettings

log = logging.getLogger("gridwatch.detect")


def register(subparsers: Subparsers) -> None:
    """Register `gridwatch detect` and `gridwatch export-model`."""
    parser = subparsers.add_parser(
        "detect",
        help="run a detector worker: gw.frames in, gw.detections out",
        description="Consumes gw.frames as a member of a consumer group, detects in batches across cameras, "
        "tracks objects per camera, renders evidence and publishes one gw.detections message per frame.",
    )
    parser.add_argument(
        "--site",
        type=Path,
        default=Path(os.environ["GW_SITE"]) if os.environ.get("GW_SITE") else None,
        help="site configuration with the cameras' zones (default: $GW_SITE; none: no zones)",
    )
    model = parser.add_mutually_exclusive_group()
    model.add_argument(
        "--model", default=None, metavar="ID", help="catalogue model (default centernet-coco80)"
    )
    model.add_argument(
        "--model-config",
        type=Path,
        default=None,
        metavar="YAML",
        help="custom model: file, format, class map",
    )
    model.add_argument(
        "--model-file", type=Path, default=None, metavar="FILE", help="a YOLO .onnx/.xml/.pt, classes from it"
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "onnxruntime", "openvino", "ultralytics"),
        default=None,
        help="runtime (default auto: OpenVINO where installed, else ONNX Runtime; ultralytics for .pt files)",
    )
    parser.add_argument("--providers", default=None, help="ONNX Runtime providers, comma-separated")
    parser.add_argument("--group-id", default=None, help="consumer group (default gw-detectors)")
    parser.add_argument("--max-batch", type=int, default=None, help="most frames per model batch (default 8)")
    parser.add_argument("--max-wait-ms", type=float, default=None, help="how long a batch may wait to fill")
    parser.add_argument("--evidence", choices=("never", "relevant", "always"), default=None)
    parser.add_argument(
        "--evidence-dir",
        type=Path,
        default=None,
        help="local evidence folder (default $GW_DATA_DIR/evidence)",
    )
    parser.add_argument("--label-font", type=Path, default=None, help="CJK font file for evidence labels")
    parser.add_argument(
        "--metrics-port", type=int, default=None, help="Prometheus port (default 9311; 0: no endpoint)"
    )
    parser.add_argument(
        "--metrics-host", default=None, help=f"address /metrics listens on (default {DEFAULT_METRICS_HOST})"
    )
    parser.add_argument(
        "--exit-after", type=float, default=None, metavar="SECONDS", help="stop after this long"
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    parser.set_defaults(handler=_detect)

    export = subparsers.add_parser(
        "export-model",
        help="export ultralytics .pt weights to ONNX or OpenVINO (needs the `ultralytics` extra)",
    )
    export.add_argument(
        "weights", type=Path, help="a .pt file, e.g. yolo11n.pt or your own training's best.pt"
    )
    export.add_argument("--format", choices=("onnx", "openvino"), default="onnx")
    export.add_argument("--imgsz", type=int, default=640, help="input size (default 640)")
    export.set_defaults(handler=_export)


def register_bench(bench_subparsers: Subparsers) -> None:
    """Register `gridwatch bench detect` under the `bench` group."""
    bench = bench_subparsers.add_parser(
        "detect",
        help="detector throughput: worker path vs a naive one-frame loop, on the same model and frames",
    )
    bench.add_argument(
        "--json", type=Path, default=None, metavar="OUT", help="write the results as JSON here"
    )
    bench.add_argument("--frames", type=int, default=48, help="frames per measured run (default 48)")
    bench.add_argument(
        "--footage", type=Path, default=None, help="a video file (default: shared CCTV footage)"
    )
    bench.add_argument(
        "--plot", type=Path, default=None, metavar="PNG", help="also draw the results as a PNG"
    )
    bench.set_defaults(handler=_bench)


def _detect(args: argparse.Namespace) -> int:
    deadline = None if args.exit_after is None else time.monotonic() + args.exit_after
    with stop_on_signals() as stop:
        return run_detect(
            args, lambda: stop.is_set() or (deadline is not None and time.monotonic() >= deadline)
        )


def run_detect(args: argparse.Namespace, should_stop: Callable[[], bool]) -> int:
    """Parse the arguments into settings and run the detector process's bootstrap until ``should_stop``."""
    configure_logging(args.log_level.upper())
    from pydantic import ValidationError

    from app.bootstrap import detect
    from gridwatch.broker import KafkaSettings
    from gridwatch.config import SiteConfigError, load_site

    site = None
    if args.site is not None:
        try:
            site = load_site(args.site)
        except SiteConfigError as error:
            print(error.report(), file=sys.stderr)
            return 2
    try:
        settings = _worker_settings(args)
        choice = _backend_choice(args, settings.batching.max_batch_size)
        kafka = KafkaSettings.from_env()
    except (ValidationError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return detect.run_detect(site, settings, choice, kafka, should_stop, site_path=args.site)


def _worker_settings(args: argparse.Namespace) -> DetectWorkerSettings:
    from detectors.evidence.settings import EvidencePolicy, EvidenceSettings
    from detectors.worker.settings import BatchingSettings, DetectWorkerSettings

    batching: dict[str, object] = {}
    if args.max_batch is not None:
        batching["max_batch_size"] = args.max_batch
    if args.max_wait_ms is not None:
        batching["max_wait_ms"] = args.max_wait_ms
    data_dir = Path(os.environ.get("GW_DATA_DIR", "var"))
    evidence = EvidenceSettings(
        policy=EvidencePolicy(args.evidence or "relevant"),
        directory=args.evidence_dir or data_dir / "evidence",
        label_font=args.label_font,
    )
    values: dict[str, object] = {
        "batching": BatchingSettings.model_validate(batching),
        "evidence": evidence,
    }
    if args.group_id:
        values["group_id"] = args.group_id
    if args.metrics_port is not None:
        values["metrics_port"] = args.metrics_port or None
    if args.metrics_host:
        values["metrics_host"] = args.metrics_host
    return DetectWorkerSettings.model_validate(values)


def _backend_choice(args: argparse.Namespace, max_batch_size: int) -> BackendChoice:
    from detectors.backends.factory import BackendChoice
    from detectors.backends.registry import runtime_options
    from detectors.models.custom import CustomModelConfig

    custom = None
    if args.model_config is not None:
        custom = CustomModelConfig.from_yaml(args.model_config)
    elif args.model_file is not None:
        custom = CustomModelConfig.for_file(args.model_file.resolve())
    kind = args.backend
    if kind is None and custom is not None:
        suffix = custom.path.suffix.lower()
        kind = {".pt": "ultralytics", ".xml": "openvino"}.get(suffix, "auto")
    kind = kind or "auto"
    options: dict[str, object] = {}
    if args.providers:
        if kind == "auto":
            kind = "onnxruntime"  # providers are ONNX Runtime's
        if kind != "onnxruntime":
            raise ValueError(f"--providers names ONNX Runtime execution providers; --backend is {kind}")
        options["providers"] = tuple(p.strip() for p in args.providers.split(",") if p.strip())
    values: dict[str, object] = {
        "runtime": runtime_options(kind, **options),
        "custom": custom,
        "max_batch_size": max_batch_size,
    }
    if args.model:
        values["model_id"] = args.model
    return BackendChoice.model_validate(values)


def _export(args: argparse.Namespace) -> int:
    from detectors.backends.ultralytics_pt import export_weights

    try:
        exported = export_weights(args.weights, args.format, imgsz=args.imgsz)
    except ImportError:
        print("error: exporting needs ultralytics: pip install 'gridwatch[ultralytics]'", file=sys.stderr)
        return 1
    print(exported)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from detectors.backends.onnx_runtime import ModelNotBuiltError
    from detectors.bench.report import run_detect_benchmark

    print(f"[bench detect] measuring {args.frames} frames on every path (a few minutes)", file=sys.stderr)
    try:
        report = run_detect_benchmark(frames=args.frames, footage=args.footage, plot=args.plot)
    except ModelNotBuiltError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
    else:
        print(text)
    print(
        f"worker {report['worker_fps']:.1f} fps vs naive {report['naive_fps']:.1f} fps: "
        f"x{report['speedup_vs_naive']:.2f} (target >= {report['targets']['speedup_vs_naive']}); "
        f"{report['worker_share_of_raw']:.0%} of the model alone ({report['raw_infer_fps']:.1f} fps, "
        f"target >= {report['targets']['worker_share_of_raw']:.0%}); frames: {report['frames']['source']}"
    )
    return 0
