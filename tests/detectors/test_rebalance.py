"""What a worker keeps and forgets when the group rebalances (no broker: a scripted consumer)."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from kafka.structs import TopicPartition

from detectors.camera_zones import SiteCameras
from detectors.worker.activity import CameraActivity
from detectors.worker.consumer_loop import DetectWorker
from detectors.worker.pipeline import DetectionPipeline
from detectors.worker.settings import BatchingSettings
from gridwatch.messages import encode, key_of
from gridwatch.messages.topics import FRAMES
from tests.detectors.fakes import BrightBoxBackend, make_frame


class ScriptedConsumer:
    """Returns scripted poll results; a step may call a function first (a rebalance inside poll)."""

    def __init__(
        self, steps: list[tuple[Callable[[], None] | None, dict[TopicPartition, list[Any]]]]
    ) -> None:
        self.steps = steps
        self.committed: list[dict[TopicPartition, Any]] = []
        self.config = {"group_id": "g"}

    def poll(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Any]]:
        if not self.steps:  # nothing more: wait like a real poll would
            time.sleep(timeout_ms / 1000)
            return {}
        before, records = self.steps.pop(0)
        if before is not None:
            before()
        return records

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        self.committed.append(offsets)


class FakeFuture:
    def get(self, timeout: float) -> None:
        return None


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def send(self, topic: str, key: bytes, value: bytes) -> FakeFuture:
        self.sent.append((topic, key))
        return FakeFuture()

    def flush(self, timeout: float) -> None:
        pass


def _record(camera: str, seq: int, partition: int, offset: int) -> Any:
    frame = make_frame(camera, seq, [(10, 10, 30, 60)])
    return SimpleNamespace(
        topic=FRAMES, partition=partition, offset=offset, key=key_of(frame), value=encode(frame)
    )


def _worker(consumer: ScriptedConsumer, producer: FakeProducer) -> DetectWorker:
    pipeline = DetectionPipeline(
        BrightBoxBackend(), CameraActivity(300.0, 4096, clock=lambda: 0.0), SiteCameras({})
    )
    return DetectWorker(consumer, producer, None, pipeline, BatchingSettings(max_batch_size=4, max_wait_ms=0))  # type: ignore[arg-type]


def test_state_of_cameras_whose_partitions_moved_away_is_dropped_others_kept() -> None:
    p0, p1 = TopicPartition(FRAMES, 0), TopicPartition(FRAMES, 1)
    consumer = ScriptedConsumer([(None, {p0: [_record("cam-a", 0, 0, 5)], p1: [_record("cam-b", 0, 1, 9)]})])
    producer = FakeProducer()
    worker = _worker(consumer, producer)
    worker.partitions_assigned([p0, p1])
    assert worker.run_once() == 2
    active = worker.pipeline.cameras_active
    assert "cam-a" in active and "cam-b" in active
    assert consumer.committed[-1][p0].offset == 6 and consumer.committed[-1][p1].offset == 10
    worker.partitions_revoked([p0, p1])  # an eager rebalance revokes everything...
    worker.partitions_assigned([p0])  # ...and gives partition 0 back
    assert "cam-a" in active and "cam-b" not in active


def test_records_of_partitions_revoked_while_gathering_are_left_to_their_new_owner() -> None:
    p0, p1 = TopicPartition(FRAMES, 0), TopicPartition(FRAMES, 1)
    consumer = ScriptedConsumer([])
    producer = FakeProducer()
    worker = _worker(consumer, producer)

    def rebalance() -> None:
        worker.partitions_revoked([p0, p1])
        worker.partitions_assigned([p0])

    consumer.steps = [
        (None, {p0: [_record("cam-a", 0, 0, 1)], p1: [_record("cam-b", 0, 1, 1)]}),
        (rebalance, {p0: [_record("cam-a", 1, 0, 2)]}),
    ]
    worker.batching = BatchingSettings(max_batch_size=4, max_wait_ms=200)
    assert worker.run_once() == 2
    assert [key for _, key in producer.sent] == [b"cam-a", b"cam-a"]
    assert list(consumer.committed[-1]) == [p0]
