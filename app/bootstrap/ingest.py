"""The ingest process's composition root: producer, publisher, clocks and camera pool, until asked to stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from gridwatch.broker import KafkaSettings, ensure_topics, make_producer
from gridwatch.config import Camera
from gridwatch.messages.topics import CAMERA_STATUS, FRAMES, topic_named
from ingest.clocks import Clocks
from ingest.counters import CounterListener
from ingest.pool import CameraPool, PoolSummary
from ingest.publisher import KafkaPublisher
from ingest.settings import IngestSettings

#: Longest a producer's ``send`` may block on a full buffer before the frame counts as dropped.
MAX_BLOCK_MS = 2000


def run_ingest(
    cameras: Sequence[Camera],
    settings: IngestSettings,
    kafka: KafkaSettings,
    stop: threading.Event,
    *,
    progress_every_s: float = 30.0,
    say: Callable[[str], None] = print,
    listener: CounterListener | None = None,
    exit_when_done: bool = False,
) -> PoolSummary:
    """Run ``cameras`` until ``stop`` is set (or, with ``exit_when_done``, every finite source is read)."""
    specs = [spec for spec in (topic_named(FRAMES), topic_named(CAMERA_STATUS)) if spec is not None]
    ensure_topics(kafka, specs)
    producer = make_producer(kafka, client_suffix="ingest", max_block_ms=MAX_BLOCK_MS)
    publisher = KafkaPublisher(producer, queue_per_camera=settings.publish_queue_per_camera)
    clocks = Clocks(stop=stop)
    pool = CameraPool(cameras, settings, publisher, clocks=clocks, listener=listener)
    publisher.start()
    pool.start()
    say(f"ingest: {len(pool.workers)} cameras, publishing to {FRAMES} at {kafka.bootstrap_servers}")
    next_progress = time.monotonic() + progress_every_s
    try:
        while not stop.wait(0.5):
            if exit_when_done and pool.all_finished:
                say("ingest: every camera's source is finished")
                break
            if time.monotonic() >= next_progress:
                next_progress += progress_every_s
                say(f"ingest: {pool.summary().line()}")
    finally:
        pool.stop()
        for worker in pool.workers:
            worker.report_status()
        publisher.stop()
    summary = pool.summary()
    say(f"ingest: stopped; {summary.line()}")
    return summary
