"""A real RTSP stream (Debian's ffmpeg publishing through a loopback relay) into gw.frames on a broker."""

from __future__ import annotations

import itertools
import random
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridwatch.broker import KafkaSettings, make_producer
from gridwatch.messages import CameraState, SourceKind
from ingest.clocks import Clocks
from ingest.pool import CameraPool
from ingest.publisher import KafkaPublisher
from ingest.settings import BackoffSettings, IngestSettings
from tests.ingest.helpers import make_camera, wait_for
from tests.ingest.kafka_tail import CameraTail
from tests.ingest.rtsp_relay import RtspRelay

pytestmark = pytest.mark.integration

FFMPEG = shutil.which("ffmpeg")


class Publisher:
    """Debian's ffmpeg pushing a looped clip to the relay in real time."""

    def __init__(self, clip: Path, url: str) -> None:
        self.clip = clip
        self.url = url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert FFMPEG is not None
        self.process = subprocess.Popen(
            [
                FFMPEG,
                "-hide_banner",
                "-loglevel",
                "error",
                "-re",
                "-stream_loop",
                "-1",
                "-i",
                str(self.clip),
                "-c",
                "copy",
                "-an",
                "-f",
                "rtsp",
                "-rtsp_transport",
                "tcp",
                self.url,
            ],
            stdin=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None


@pytest.fixture
def relay() -> Iterator[RtspRelay]:
    server = RtspRelay()
    server.start()
    yield server
    server.stop()


@pytest.mark.skipif(FFMPEG is None, reason="needs Debian's ffmpeg (apt-get install ffmpeg)")
def test_rtsp_frames_reach_the_broker_and_survive_a_server_restart(
    kafka_broker: KafkaSettings, relay: RtspRelay, moving_clip: Path
) -> None:
    camera_id = f"rtsp-{uuid.uuid4().hex[:8]}"
    camera = make_camera(
        camera_id, sample_fps=1.0, source={"kind": "rtsp", "url": relay.url()}, motion_gate={"enabled": False}
    )
    settings = IngestSettings(
        backoff=BackoffSettings(initial_s=0.3, max_s=1.0, jitter=0.1),
        connect_timeout_s=3.0,
        read_timeout_s=3.0,
        status_interval_s=60.0,
    )
    ffmpeg = Publisher(moving_clip, relay.url())
    ffmpeg.start()
    tail = CameraTail(kafka_broker, camera_id)
    producer = make_producer(kafka_broker, client_suffix="ingest-test", max_block_ms=2000)
    publisher = KafkaPublisher(producer, queue_per_camera=4)
    pool = CameraPool(
        [camera], settings, publisher, clocks=Clocks(stop=threading.Event(), rng=random.Random(0))
    )
    publisher.start()
    pool.start()
    try:
        wait_for(lambda: len(tail.snapshot()[0]) >= 6, 30.0, "six frames on gw.frames")
        frames, statuses = tail.snapshot()
        assert {f.source_kind for f in frames} == {SourceKind.RTSP}
        assert [f.seq for f in frames[:5]] == [0, 1, 2, 3, 4]
        steady = frames[2:6]  # the first frames may come in a burst, read while the stream was probed
        gaps = [b.captured_at - a.captured_at for a, b in itertools.pairwise(steady)]
        assert all(0.8 <= gap <= 1.2 for gap in gaps), gaps  # 1 fps configured, 1 s GOP
        assert statuses[-1].status is CameraState.ONLINE

        ffmpeg.kill()
        wait_for(lambda: tail.snapshot()[1][-1].status is CameraState.OFFLINE, 15.0, "status offline")
        offline = tail.snapshot()[1][-1]
        assert offline.reason, "an offline status says why"
        published_before = len(tail.snapshot()[0])

        ffmpeg.start()
        wait_for(lambda: tail.snapshot()[1][-1].status is CameraState.ONLINE, 30.0, "status online again")
        wait_for(lambda: len(tail.snapshot()[0]) >= published_before + 3, 20.0, "frames resuming")
        frames, statuses = tail.snapshot()
        assert frames[-1].captured_at > offline.at
        states = [s.status for s in statuses]
        assert states.index(CameraState.OFFLINE) < len(states) - 1 - states[::-1].index(CameraState.ONLINE)
    finally:
        pool.stop(timeout_s=10)
        publisher.stop(timeout_s=5)
        ffmpeg.kill()
        tail.close()
