"""`gridwatch ingest` (the camera pool for a site) and `gridwatch simulate cameras` (synthetic cameras)."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from app.cli.logs import configure_logging
from app.cli.types import Subparsers
from gridwatch.runtime.metrics_http import DEFAULT_METRICS_HOST, serve_metrics
from gridwatch.runtime.stop_signals import stop_on_signals


def register(subparsers: Subparsers) -> None:
    """Register ``ingest`` and ``simulate``."""
    ingest = subparsers.add_parser(
        "ingest",
        help="read a site's cameras and publish sampled frames to gw.frames",
        description=(
            "Run the camera pool for a site: sample every enabled camera at its configured rate, gate on "
            "motion, publish JPEG frames to gw.frames and camera health to gw.camera-status, until stopped."
        ),
    )
    ingest.add_argument("--site", type=Path, required=True, help="site configuration file (YAML)")
    ingest.add_argument(
        "--bootstrap",
        default=None,
        help="Kafka bootstrap host:port (default: $GW_KAFKA_BOOTSTRAP or 127.0.0.1:9092)",
    )
    ingest.add_argument(
        "--settings", type=Path, default=None, help="ingest settings file (YAML); defaults otherwise"
    )
    ingest.add_argument(
        "--camera", action="append", default=[], metavar="ID", help="run only this camera (repeatable)"
    )
    ingest.add_argument(
        "--shard",
        default="0/1",
        metavar="I/N",
        help="run every N-th enabled camera starting at I (default 0/1)",
    )
    ingest.add_argument("--progress-s", type=float, default=30.0, help="seconds between progress lines")
    ingest.add_argument(
        "--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port"
    )
    ingest.add_argument(
        "--metrics-host",
        default=DEFAULT_METRICS_HOST,
        help=f"address /metrics listens on (default {DEFAULT_METRICS_HOST})",
    )
    ingest.add_argument(
        "--exit-when-done",
        action="store_true",
        help="exit once every camera's source is finished (replaying files and folders); by default ingest "
        "keeps running so that offline cameras stay visible",
    )
    ingest.add_argument(
        "--loop-footage",
        action="store_true",
        help="replay every video-file and image-folder camera again and again (image folders as live "
        "snapshot cameras), whatever its own loop says; the settings' loop_footage (gridwatch run sets it)",
    )
    ingest.add_argument("-v", "--verbose", action="store_true", help="log every camera event")
    ingest.set_defaults(handler=_run_ingest)

    simulate = subparsers.add_parser("simulate", help="synthetic inputs for demos and load tests")
    what = simulate.add_subparsers(dest="simulate_what", metavar="WHAT", required=True)
    cameras = what.add_parser(
        "cameras",
        help="serve or emit N synthetic cameras",
        description=(
            "serve: an HTTP snapshot server for N cameras (/cameras/sim-0001/snapshot.jpg ...), and "
            "with --cameras-yaml the site-config camera entries that point at it, to load-test "
            "`gridwatch ingest`. "
            "emit: publish N cameras' frames straight to gw.frames, to load-test the detectors."
        ),
    )
    cameras.add_argument("--count", type=int, required=True, help="number of cameras, e.g. 1150")
    cameras.add_argument(
        "--mode", choices=("serve", "emit"), default="serve", help="serve snapshots or emit frames"
    )
    cameras.add_argument("--host", default="127.0.0.1", help="serve: address to listen on")
    cameras.add_argument("--port", type=int, default=8554, help="serve: port to listen on (0: any free port)")
    cameras.add_argument(
        "--cameras-yaml", type=Path, default=None, help="serve: write site camera entries here"
    )
    cameras.add_argument("--micro-grid", default="mg-001", help="serve: micro-grid id for the camera entries")
    cameras.add_argument(
        "--sample-fps", type=float, default=1.0, help="sampling rate per camera (both modes)"
    )
    cameras.add_argument("--width", type=int, default=640, help="image width in pixels")
    cameras.add_argument("--height", type=int, default=360, help="image height in pixels")
    cameras.add_argument(
        "--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)"
    )
    cameras.add_argument(
        "--bootstrap", default=None, help="emit: Kafka bootstrap host:port (default: $GW_KAFKA_BOOTSTRAP)"
    )
    cameras.set_defaults(handler=_run_simulate_cameras)


def _say(message: str) -> None:
    print(message, flush=True)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _run_ingest(args: argparse.Namespace) -> int:
    from app.bootstrap.ingest import run_ingest
    from gridwatch.broker import KafkaSettings
    from gridwatch.config import SiteConfigError, load_site
    from ingest.settings import IngestSettings
    from ingest.shards import Shard, select_cameras

    configure_logging(logging.INFO if args.verbose else logging.WARNING, timestamps=False)
    try:
        site = load_site(args.site)
        settings = IngestSettings.load(args.settings) if args.settings else IngestSettings()
        if args.loop_footage:
            settings = settings.model_copy(update={"loop_footage": True})
        cameras = select_cameras(site.cameras, args.camera, Shard.parse(args.shard))
        overrides = {"bootstrap_servers": args.bootstrap} if args.bootstrap else {}
        kafka = KafkaSettings.from_env(**overrides)
    except SiteConfigError as error:
        return _fail(str(error))
    except ValueError as error:
        return _fail(str(error))
    if not cameras:
        return _fail(f"no enabled camera to run in {args.site} (after --camera/--shard)")
    listener = None
    if args.metrics_port is not None:
        from prometheus_client import CollectorRegistry

        from ingest.metrics import prometheus_listener

        registry = CollectorRegistry()
        listener = prometheus_listener(registry)
        serve_metrics(registry, args.metrics_host, args.metrics_port)
    with stop_on_signals() as stop:
        run_ingest(
            cameras,
            settings,
            kafka,
            stop,
            progress_every_s=args.progress_s,
            say=_say,
            listener=listener,
            exit_when_done=args.exit_when_done,
        )
    return 0


def _run_simulate_cameras(args: argparse.Namespace) -> int:
    with stop_on_signals() as stop:
        return _simulate_cameras(args, stop)


def _simulate_cameras(args: argparse.Namespace, stop: threading.Event) -> int:
    import yaml

    from gridwatch.broker import KafkaSettings, ensure_topics, make_producer
    from gridwatch.messages.topics import FRAMES, topic_named
    from ingest.synthetic import Scene, SnapshotServer, cameras_document, emit_frames

    if args.count < 1:
        return _fail(f"--count must be at least 1, got {args.count}")
    if args.sample_fps <= 0:
        return _fail(f"--sample-fps must be positive, got {args.sample_fps}")
    if args.seconds is not None:
        threading.Timer(args.seconds, stop.set).start()
    _say(f"simulate: rendering a {args.width}x{args.height} scene ...")
    scene = Scene.build(args.width, args.height)
    if args.mode == "serve":
        try:
            server = SnapshotServer(args.count, scene, host=args.host, port=args.port)
        except OSError as error:
            return _fail(f"cannot listen on {args.host}:{args.port}: {error.strerror}")
        if args.cameras_yaml is not None:
            document = {
                "cameras": cameras_document(
                    args.count,
                    server.url,
                    micro_grid=args.micro_grid,
                    sample_fps=args.sample_fps,
                    resolution=(args.width, args.height),
                )
            }
            args.cameras_yaml.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
            _say(f"simulate: wrote {args.count} camera entries to {args.cameras_yaml}")
        server.start()
        _say(f"simulate: serving {args.count} cameras at {server.base_url}/cameras/sim-0001/snapshot.jpg ...")
        served = 0
        while not stop.wait(10.0):
            _say(
                f"simulate: {server.requests - served} snapshots in the last 10 s ({server.requests} in all)"
            )
            served = server.requests
        server.stop()
        return 0
    overrides = {"bootstrap_servers": args.bootstrap} if args.bootstrap else {}
    try:
        kafka = KafkaSettings.from_env(**overrides)
    except ValueError as error:
        return _fail(str(error))
    spec = topic_named(FRAMES)
    if spec is not None:
        ensure_topics(kafka, [spec])
    producer = make_producer(kafka, client_suffix="simulate-cameras")
    _say(f"simulate: emitting {args.count} cameras at {args.sample_fps:g} fps to {FRAMES} ...")
    sent = emit_frames(
        producer,
        args.count,
        scene,
        fps=args.sample_fps,
        seconds=args.seconds,
        stop=stop,
        progress=lambda n, elapsed: _say(f"simulate: {n} frames in {elapsed:.0f} s ({n / elapsed:.0f}/s)"),
    )
    producer.close(timeout=10)
    _say(f"simulate: sent {sent} frames")
    return 0
