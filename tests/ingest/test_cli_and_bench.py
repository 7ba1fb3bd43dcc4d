from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from app.bootstrap.ingest import run_ingest
from app.cli import bench_cmd, ingest_cmd
from gridwatch.broker import KafkaSettings
from gridwatch.config import Camera
from gridwatch.messages import FrameReason
from ingest.bench import BenchOptions, run_bench
from ingest.clips import ClipSpec
from ingest.settings import IngestSettings
from tests.ingest.helpers import make_camera, solid, wait_for
from tests.ingest.kafka_tail import CameraTail


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="gridwatch")
    commands = root.add_subparsers(dest="command", required=True)
    ingest_cmd.register(commands)
    bench_cmd.register(commands)
    return root


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_simulate_serve_writes_camera_entries_and_serves_them(
    tmp_path: Path, keep_signal_handlers: None
) -> None:
    out = tmp_path / "cameras.yaml"
    args = parser().parse_args(
        [
            "simulate",
            "cameras",
            "--count",
            "3",
            "--port",
            "0",
            "--seconds",
            "0.5",
            "--cameras-yaml",
            str(out),
            "--width",
            "320",
            "--height",
            "180",
        ]
    )
    assert args.handler(args) == 0
    entries = yaml.safe_load(out.read_text())["cameras"]
    cameras = [Camera.model_validate(entry) for entry in entries]
    assert [c.id for c in cameras] == ["sim-0001", "sim-0002", "sim-0003"]
    assert all(c.source.kind == "http_snapshot" for c in cameras)


def test_snapshot_server_serves_distinct_cameras() -> None:
    import httpx

    from ingest.synthetic import Scene, SnapshotServer

    server = SnapshotServer(2, Scene.build(160, 90, frames=4))
    server.start()
    try:
        first = httpx.get(server.url(0), timeout=5)
        missing = httpx.get(f"{server.base_url}/cameras/sim-0003/snapshot.jpg", timeout=5)
    finally:
        server.stop()
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(first.content, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape == (90, 160, 3)
    assert missing.status_code == 404


def test_bench_reports_both_modes_and_their_ratio(tmp_path: Path) -> None:
    options = BenchOptions(
        clip=ClipSpec(width=320, height=240, fps=25, seconds=4, gop_s=2.0),
        memory_cameras=2,
        memory_seconds=0.5,
        work_dir=tmp_path,
    )
    report = run_bench(options, say=lambda _message: None)
    json.dumps(report)  # serialisable as written by --json
    assert report["modes"]["keyframes"]["decoded_frames"] == 2
    assert report["modes"]["full"]["decoded_frames"] == 100
    assert report["modes"]["full"]["sampled_frames"] == 5  # 0, 0.96, 1.96, 2.96, 3.96 s
    assert report["modes"]["keyframes"]["effective_sample_fps"] == pytest.approx(0.5)
    assert report["keyframe_cpu_s_per_frame"] > 0 and report["full_cpu_s_per_frame"] > 0  # both measured
    assert report["memory_per_camera_mib"] is not None


@pytest.mark.integration
def test_run_ingest_publishes_a_folder_camera_to_the_broker(
    kafka_broker: KafkaSettings, tmp_path: Path
) -> None:
    for index in range(4):
        image = solid(value=40 * index)
        path = tmp_path / f"{index:04d}.jpg"
        cv2.imwrite(str(path), image)
        os.utime(path, (1_700_000_000 + 2 * index, 1_700_000_000 + 2 * index))  # capture times 2 s apart
    camera_id = f"folder-{uuid.uuid4().hex[:8]}"
    camera = make_camera(camera_id, source={"kind": "image_folder", "path": str(tmp_path)})
    tail = CameraTail(kafka_broker, camera_id)
    lines: list[str] = []
    try:
        summary = run_ingest(
            [camera], IngestSettings(), kafka_broker, threading.Event(), say=lines.append, exit_when_done=True
        )
        wait_for(lambda: len(tail.snapshot()[0]) == 4, 15.0, "four frames on gw.frames")
        wait_for(lambda: bool(tail.snapshot()[1]), 15.0, "a camera status")
    finally:
        tail.close()
    frames, statuses = tail.snapshot()
    assert frames[0].reason is FrameReason.FIRST
    assert statuses[-1].counters.published == 4
    assert summary.cameras == 1
    assert any("every camera's source is finished" in line for line in lines)
