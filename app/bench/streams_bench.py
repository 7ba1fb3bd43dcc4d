"""`gridwatch bench streams`: one streams worker fed detections for many simulated cameras.

Every camera sends one detections message per second (two people and, for half of each ``cycle_s``
cycle, a parked two-wheeler in its zone). The zone rule (dwell 4 s, clear 3 s, no cooldown) turns each cycle
into a ``new`` and an ``end``, so incidents flow all the time and the latency from a detections message
being sent to the incident it caused being read back is measured on every one of them. Figures come from
the same run: sent detections per second, the worker's CPU time over wall time, latency percentiles.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from app.site_generator import SiteSpec, dump_site_yaml, generate_site
from gridwatch.broker import EmbeddedBroker, KafkaSettings, make_consumer, make_producer
from gridwatch.detections import Detections, ObjectKind
from gridwatch.messages import (
    FrameDetections,
    Incident,
    ModelRef,
    StageTimings,
    decode,
    encode,
)
from gridwatch.messages.topics import DETECTIONS, INCIDENTS
from streams.settings import StreamsSettings
from streams.topics import ensure_stream_topics


@dataclass(frozen=True)
class BenchOptions:
    """What to simulate."""

    cameras: int = 1150
    fps: float = 1.0
    seconds: float = 60.0
    bootstrap: str | None = None
    drain_s: float = 8.0
    cycle_s: int = 120  # each camera: a two-wheeler parks for half of every cycle (2 incidents per cycle)


@dataclass(frozen=True)
class _Camera:
    id: str
    width: int
    height: int
    phase: int


def bench_site(cameras: int, cycle_s: int) -> tuple[str, list[_Camera]]:
    """A generated site with ``cameras`` cameras, each with one always-active no-parking zone."""
    data = generate_site(SiteSpec(cameras=cameras))
    sim: list[_Camera] = []
    rule = {"kind": "ebike_parking", "dwell_s": 4, "clear_s": 3, "cooldown_s": 0, "inertia": 1}
    for index, camera in enumerate(data["cameras"]):
        width, height = camera["resolution"]
        polygon = [[0.05 * width, 0.45 * height], [0.95 * width, 0.45 * height],
                   [0.95 * width, 0.95 * height], [0.05 * width, 0.95 * height]]  # fmt: skip
        camera["zones"] = [{"id": "z-1", "name": "sidewalk", "polygon": polygon, "rules": [rule]}]
        sim.append(_Camera(camera["id"], width, height, (index * 7) % cycle_s))
    return dump_site_yaml(data), sim


_NAMES = ("person", "bicycle", "car", "motorcycle")
_KINDS = (ObjectKind.PERSON, ObjectKind.TWO_WHEELER, ObjectKind.VEHICLE, ObjectKind.TWO_WHEELER)


def _frame(camera: _Camera, seq: int, captured_at: float, parked: bool) -> FrameDetections:
    w, h = camera.width, camera.height
    boxes = [(0.1 * w, 0.5 * h, 0.14 * w, 0.8 * h), (0.6 * w, 0.2 * h, 0.63 * w, 0.4 * h)]
    scores, classes = [0.9, 0.8], [0, 0]
    if parked:
        boxes.append((0.3 * w, 0.6 * h, 0.36 * w, 0.72 * h))
        scores.append(0.85)
        classes.append(3)
    return FrameDetections(
        camera_id=camera.id,
        seq=seq,
        captured_at=captured_at,
        frame_width=w,
        frame_height=h,
        model=ModelRef(id="bench", version="1"),
        detections=Detections.of_classes(boxes, scores, classes, _NAMES, _KINDS),
        timings_ms=StageTimings(decode=1, preprocess=1, infer=5, postprocess=1),
    )


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Latencies:
    """Reads gw.incidents and matches each incident to the send time of the frame that caused it."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self.sent: dict[tuple[str, float], float] = {}
        self.latencies_ms: list[float] = []
        self.incidents = 0
        self._stop = threading.Event()
        self._consumer = make_consumer(
            kafka, group_id=f"bench-{uuid.uuid4().hex[:8]}", topics=[INCIDENTS], fetch_max_wait_ms=20
        )
        self._thread = threading.Thread(target=self._run, name="bench-incidents", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._consumer.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self._consumer.poll(timeout_ms=200).values():
                now = time.time()
                for record in records:
                    incident = decode(INCIDENTS, record.value)
                    assert isinstance(incident, Incident)
                    sent = self.sent.get((incident.camera_id, incident.observed_at))
                    if sent is not None:
                        self.incidents += 1
                        self.latencies_ms.append((now - sent) * 1000)


@contextmanager
def _broker(options: BenchOptions, workdir: Path) -> Iterator[tuple[KafkaSettings, int | None]]:
    if options.bootstrap is not None:
        yield KafkaSettings.from_env(bootstrap_servers=options.bootstrap), None
        return
    broker = EmbeddedBroker(log_path=workdir / "broker.log")
    settings = broker.start()
    try:
        yield settings, broker.pid
    finally:
        broker.stop()


def run_streams_bench(options: BenchOptions, out: TextIO = sys.stderr) -> dict[str, Any]:
    """Run the benchmark; the figures as a JSON-able dict."""
    workdir = Path(tempfile.mkdtemp(prefix="gridwatch-bench-streams-"))
    site_text, cameras = bench_site(options.cameras, options.cycle_s)
    site_path = workdir / "site.yaml"
    site_path.write_text(site_text, encoding="utf-8")
    app_id = f"bench-streams-{uuid.uuid4().hex[:8]}"
    with _broker(options, workdir) as (kafka, broker_pid):
        ensure_stream_topics(kafka, StreamsSettings(app_id=app_id))
        env = {**os.environ, "GW_KAFKA_BOOTSTRAP": kafka.bootstrap_servers,
               "GW_KAFKA_EMBEDDED": "true" if kafka.embedded else "false"}  # fmt: skip
        command = [
            sys.executable,
            "-m",
            "app.cli.streams_cmd",
            "--site",
            str(site_path),
            "--app-id",
            app_id,
        ]
        with (workdir / "worker.log").open("ab") as log:
            worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        producer = make_producer(kafka, client_suffix="bench")
        latencies = _Latencies(kafka)
        latencies.start()
        try:
            out.write(f"bench streams: {options.cameras} cameras, waiting for the worker (log {workdir})\n")
            _wait_ready(producer, latencies, cameras[0], worker)
            return _feed(options, cameras, producer, latencies, worker.pid, broker_pid, out)
        finally:
            producer.close(timeout=5)
            latencies.stop()
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def _wait_ready(
    producer: Any, latencies: _Latencies, camera: _Camera, worker: subprocess.Popen[bytes]
) -> None:
    """Send one short past episode on the first camera and wait until its incident comes back."""
    start = time.time() - 3600
    for second in range(6):
        frame = _frame(camera, second, start + second, parked=True)
        latencies.sent[(camera.id, frame.captured_at)] = time.time()
        producer.send(DETECTIONS, key=camera.id.encode(), value=encode(frame))
    producer.flush()
    deadline = time.monotonic() + 120
    while latencies.incidents == 0:
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the streams worker did not come up; see its log")
        time.sleep(0.2)
    latencies.latencies_ms.clear()
    latencies.incidents = 0


def _feed(options: BenchOptions, cameras: list[_Camera], producer: Any, latencies: _Latencies,
          worker_pid: int, broker_pid: int | None, out: TextIO) -> dict[str, Any]:  # fmt: skip
    interval = 1.0 / options.fps
    frames = round(options.seconds * options.fps)
    start = time.time()
    worker_cpu0 = _cpu_seconds(worker_pid)
    feeder_cpu0 = _own_cpu_seconds()
    busy0, total0 = _machine_ticks()
    load0 = os.getloadavg()[0]
    broker_cpu0 = _cpu_seconds(broker_pid) if broker_pid else 0.0
    sent = boxes = 0
    late_s = 0.0
    for index in range(frames):
        tick = start + index * interval
        for position, camera in enumerate(cameras):
            due = tick + interval * position / len(cameras)
            if position % 25 == 0 and (wait := due - time.time()) > 0:
                time.sleep(wait)
            parked = (round(index * interval) + camera.phase) % options.cycle_s < options.cycle_s // 2
            frame = _frame(camera, index + 10, round(tick, 3), parked)
            latencies.sent[(camera.id, frame.captured_at)] = time.time()
            producer.send(DETECTIONS, key=camera.id.encode(), value=encode(frame))
            sent += 1
            boxes += len(frame.detections)
        late_s = max(late_s, time.time() - (tick + interval))
        if index % 10 == 9:
            out.write(f"  {index + 1}/{frames} s fed, {latencies.incidents} incidents back\n")
    producer.flush()
    fed_s = time.time() - start
    worker_cpu = _cpu_seconds(worker_pid) - worker_cpu0
    feeder_cpu = _own_cpu_seconds() - feeder_cpu0
    busy1, total1 = _machine_ticks()
    load1 = os.getloadavg()[0]
    broker_cpu = (_cpu_seconds(broker_pid) - broker_cpu0) if broker_pid else None
    time.sleep(options.drain_s)
    values = sorted(latencies.latencies_ms)
    return {
        "cameras": options.cameras,
        "episode_cycle_s": options.cycle_s,
        "fps_per_camera": options.fps,
        "seconds": round(fed_s, 2),
        "detections_sent": sent,
        "detections_per_s": round(sent / fed_s, 1),
        "boxes_per_s": round(boxes / fed_s, 1),
        "feeder_max_lag_s": round(late_s, 3),
        "incidents": latencies.incidents,
        "incidents_per_s": round(latencies.incidents / fed_s, 1),
        "p50_latency_ms": round(_percentile(values, 50), 1),
        "p99_latency_ms": round(_percentile(values, 99), 1),
        "max_latency_ms": round(values[-1], 1) if values else None,
        "worker_cpu_share": round(worker_cpu / fed_s, 3),
        "broker_cpu_share": None if broker_cpu is None else round(broker_cpu / fed_s, 3),
        "feeder_cpu_share": round(feeder_cpu / fed_s, 3),  # this process: feeder and incident reader
        "machine_busy_share": round((busy1 - busy0) / max(1, total1 - total0), 3),  # of all cores
        "load_average_1m": [round(load0, 2), round(load1, 2)],  # at the start and end of the feed
        "cpu_count": os.cpu_count(),
        "broker": "embedded tansu" if options.bootstrap is None else options.bootstrap,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    rank = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[rank]
