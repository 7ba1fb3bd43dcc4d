from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from gridwatch.messages import (
    CameraCounters,
    CameraState,
    CameraStatus,
    Frame,
    FrameReason,
    SourceKind,
    decode_record,
)
from ingest.counters import Counters, Outcome
from ingest.frame_encoder import encode_jpeg
from ingest.publisher import KafkaPublisher
from tests.ingest.helpers import solid, wait_for

JPEG = encode_jpeg(solid(32, 24), 80)


def frame(camera_id: str, seq: int) -> Frame:
    return Frame(
        camera_id=camera_id,
        seq=seq,
        captured_at=1000.0 + seq,
        source_kind=SourceKind.RTSP,
        width=32,
        height=24,
        reason=FrameReason.MOTION,
        jpeg=JPEG,
    )


def status(camera_id: str) -> CameraStatus:
    zeros = CameraCounters(sampled=0, published=0, skipped_by_gate=0, dropped=0, bad_frames=0)
    return CameraStatus(camera_id=camera_id, status=CameraState.OFFLINE, reason="x", at=1.0, counters=zeros)


class Future:
    def __init__(self, ok: bool) -> None:
        self.ok = ok

    def add_callback(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.ok:
            f(*args, "metadata", **kwargs)
        return self

    def add_errback(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.ok:
            f(*args, RuntimeError("broker said no"), **kwargs)
        return self


class FakeProducer:
    def __init__(self, gate: threading.Event | None = None, fail: bool = False) -> None:
        self.records: list[tuple[str, bytes | None, bytes | None, int | None]] = []
        self.gate = gate
        self.fail = fail
        self.closed = False

    def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        timestamp_ms: int | None = None,
    ) -> Future:
        if self.gate is not None:
            self.gate.wait()
        self.records.append((topic, key, value, timestamp_ms))
        return Future(not self.fail)

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def test_frames_and_statuses_reach_their_topics_keyed_by_camera() -> None:
    producer = FakeProducer()
    publisher = KafkaPublisher(producer, queue_per_camera=4)
    counters = Counters("cam-a")
    outlet = publisher.outlet("cam-a", counters)
    publisher.start()
    outlet.send_frame(frame("cam-a", 0))
    outlet.send_status(status("cam-a"))
    publisher.stop(timeout_s=5)
    assert producer.closed
    topics = sorted(topic for topic, *_ in producer.records)
    assert topics == ["gw.camera-status", "gw.frames"]
    for topic, key, value, timestamp_ms in producer.records:
        message = decode_record(topic, key, value)
        assert message.camera_id == "cam-a"  # type: ignore[attr-defined]
        assert timestamp_ms is not None
    assert counters[Outcome.PUBLISHED] == 1


def test_a_stalled_broker_drops_each_cameras_oldest_frames_without_blocking_cameras() -> None:
    gate = threading.Event()
    producer = FakeProducer(gate=gate)
    publisher = KafkaPublisher(producer, queue_per_camera=2)
    counters = {cam: Counters(cam) for cam in ("a", "b")}
    outlets = {cam: publisher.outlet(cam, counters[cam]) for cam in ("a", "b")}
    publisher.start()
    outlets["a"].send_frame(frame("a", 0))  # the sender takes it and blocks in send()
    wait_for(lambda: len(outlets["a"].frames) == 0, 2.0, "the sender to take the first frame")
    started = time.monotonic()
    for seq in range(1, 11):
        outlets["a"].send_frame(frame("a", seq))
    outlets["b"].send_frame(frame("b", 0))
    assert time.monotonic() - started < 0.5  # cameras never wait for the broker
    assert counters["a"][Outcome.DROPPED] == 8
    gate.set()
    publisher.stop(timeout_s=5)
    sent = [decode_record(t, k, v) for t, k, v, _ in producer.records]
    pairs = [(m.camera_id, m.seq) for m in sent]  # type: ignore[attr-defined]
    assert pairs == [("a", 0), ("a", 9), ("b", 0), ("a", 10)]  # round-robin in order of arrival


def test_cameras_are_drained_round_robin() -> None:
    gate = threading.Event()
    producer = FakeProducer(gate=gate)
    publisher = KafkaPublisher(producer, queue_per_camera=10)
    outlets = {cam: publisher.outlet(cam, Counters(cam)) for cam in ("a", "b")}
    for seq in range(3):
        outlets["a"].send_frame(frame("a", seq))
    for seq in range(3):
        outlets["b"].send_frame(frame("b", seq))
    gate.set()
    publisher.start()
    publisher.stop(timeout_s=5)
    order = [decode_record(t, k, v).camera_id for t, k, v, _ in producer.records]  # type: ignore[attr-defined]
    assert order == ["a", "b", "a", "b", "a", "b"]


def test_delivery_errors_count_as_dropped() -> None:
    producer = FakeProducer(fail=True)
    publisher = KafkaPublisher(producer, queue_per_camera=4)
    counters = Counters("a")
    outlet = publisher.outlet("a", counters)
    publisher.start()
    outlet.send_frame(frame("a", 0))
    publisher.stop(timeout_s=5)
    assert counters[Outcome.DROPPED] == 1
    assert counters[Outcome.PUBLISHED] == 0
