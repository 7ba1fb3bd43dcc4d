"""The detector worker on the real broker: frames in, detections out, per-camera order, two workers, DLQ."""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from kafka.partitioner.default import murmur2
from kafka.structs import TopicPartition

from app.bootstrap.detect import build_pipeline, build_worker
from detectors.worker.consumer_loop import DetectWorker
from detectors.worker.settings import BatchingSettings, DetectWorkerSettings
from gridwatch.broker.clients import make_consumer
from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import DeadLetter, FrameDetections, decode_record, encode, key_of
from gridwatch.messages.topics import DEAD_LETTERS, DETECTIONS, FRAMES, topic_named
from tests.detectors.fakes import BrightBoxBackend, corrupt_frame, make_frame

pytestmark = pytest.mark.integration

FRAME_PARTITIONS = 8
FRAMES_PER_CAMERA = 5
CORRUPT_SEQ = 2  # the third frame of the first camera is corrupt; its later frames must still come out


def _cameras_covering_every_partition(tag: str) -> list[str]:
    """One camera id per gw.frames partition."""
    by_partition: dict[int, str] = {}
    index = 0
    while len(by_partition) < FRAME_PARTITIONS:
        camera = f"cam-{tag}-{index}"
        by_partition.setdefault((murmur2(camera.encode()) & 0x7FFFFFFF) % FRAME_PARTITIONS, camera)
        index += 1
    return [by_partition[p] for p in range(FRAME_PARTITIONS)]


@dataclass
class _Running:
    worker: DetectWorker
    thread: threading.Thread
    errors: list[BaseException]


@contextmanager
def _workers(kafka: KafkaSettings, settings: DetectWorkerSettings, count: int) -> Iterator[list[_Running]]:
    stop = threading.Event()
    running: list[_Running] = []
    clients: list[Any] = []
    try:
        for index in range(count):
            pipeline = build_pipeline(BrightBoxBackend(max_batch_size=4), settings, site=None)
            worker, consumer, producer = build_worker(
                kafka, settings, pipeline, client_suffix=f"test-detect-{index}"
            )
            clients += [consumer, producer]
            errors: list[BaseException] = []

            def loop(worker: DetectWorker = worker, errors: list[BaseException] = errors) -> None:
                try:
                    worker.run(stop.is_set)
                except BaseException as error:  # surfaced by the test
                    errors.append(error)

            thread = threading.Thread(target=loop, name=f"detect-{index}", daemon=True)
            thread.start()
            running.append(_Running(worker, thread, errors))
        yield running
    finally:
        stop.set()
        for item in running:
            item.thread.join(timeout=15)
        for client in clients:
            client.close()


def _wait_for(condition: Callable[[], bool], timeout_s: float, what: str, running: list[_Running]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for item in running:
            if item.errors:
                raise item.errors[0]
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def _read_all(
    kafka: KafkaSettings, topic: str, keep: Callable[[Any], bool], enough: Callable[[list[Any]], bool]
) -> list[Any]:
    """Records of every partition of ``topic`` that ``keep`` accepts, in partition order, until ``enough``."""
    spec = topic_named(topic)
    assert spec is not None
    consumer = make_consumer(kafka, group_id=None)
    partitions = [TopicPartition(topic, p) for p in range(spec.partitions)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    kept: list[Any] = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline and not enough(kept):
            for records in consumer.poll(timeout_ms=500).values():
                kept.extend(record for record in records if keep(record))
    finally:
        consumer.close()
    return kept


def test_two_workers_split_the_partitions_keep_camera_order_and_dead_letter_a_corrupt_frame(
    kafka_broker: KafkaSettings, kafka_producer: Any, unique_group_id: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    cameras = _cameras_covering_every_partition(tag)
    settings = DetectWorkerSettings(
        group_id=unique_group_id,
        name=f"detect-{tag}",
        batching=BatchingSettings(max_batch_size=6, max_wait_ms=30, poll_timeout_ms=200),
        metrics_port=None,
    )
    with _workers(kafka_broker, settings, count=2) as running:

        def settled() -> bool:
            owned = [item.worker.assignment for item in running]
            return all(owned) and len(owned[0] | owned[1]) == FRAME_PARTITIONS and not owned[0] & owned[1]

        _wait_for(settled, 40, "both workers to own half of gw.frames", running)
        assignments = [{tp.partition for tp in item.worker.assignment} for item in running]

        for seq in range(FRAMES_PER_CAMERA):
            for camera in cameras:
                if camera == cameras[0] and seq == CORRUPT_SEQ:
                    frame = corrupt_frame(camera, seq)
                else:  # a box drifting right by 3 px per second
                    frame = make_frame(camera, seq, [(20 + 3 * seq, 30, 50 + 3 * seq, 90)])
                kafka_producer.send(FRAMES, key=key_of(frame), value=encode(frame))
        garbage_key = cameras[1].encode()
        kafka_producer.send(FRAMES, key=garbage_key, value=b"not a frame envelope")
        kafka_producer.flush(10)

        expected = len(cameras) * FRAMES_PER_CAMERA - 1
        ours = {camera.encode() for camera in cameras}
        records = _read_all(
            kafka_broker, DETECTIONS, lambda r: r.key in ours, lambda kept: len(kept) >= expected
        )
        for item in running:
            assert not item.errors, item.errors

    by_camera: dict[str, list[FrameDetections]] = defaultdict(list)
    for record in records:
        message = decode_record(record.topic, record.key, record.value)
        assert isinstance(message, FrameDetections)
        by_camera[message.camera_id].append(message)
    for camera in cameras:
        seqs = [m.seq for m in by_camera[camera]]
        wanted = [s for s in range(FRAMES_PER_CAMERA) if not (camera == cameras[0] and s == CORRUPT_SEQ)]
        assert seqs == wanted, f"{camera}: detections out of order or missing"
        for message in by_camera[camera]:
            assert message.model.id == "bright-box"
            assert message.detections.class_name == ("person",)
            assert message.detections.xyxy[0].tolist() == pytest.approx(
                (20 + 3 * message.seq, 30, 50 + 3 * message.seq, 90), abs=1
            )
            assert message.timings_ms.decode > 0 and message.timings_ms.postprocess > 0

    # each worker published only the cameras of the partitions it owns, and both did work
    seen = [item.worker.stats.partitions_seen for item in running]
    assert all(seen), "both workers processed frames"
    for owned, partitions in zip(assignments, seen, strict=True):
        assert partitions <= owned
    assert all(item.worker.stats.detected > 0 for item in running)

    letters = _read_all(
        kafka_broker,
        DEAD_LETTERS,
        lambda r: r.key == FRAMES.encode(),
        lambda kept: len([1 for r in kept if _ours(r, settings.name, ours)]) >= 2,
    )
    reasons = {}
    for record in letters:
        letter = decode_record(record.topic, record.key, record.value)
        assert isinstance(letter, DeadLetter)
        if letter.consumer == settings.name and letter.key is not None and letter.key.encode() in ours:
            reasons[letter.key] = letter.reason
    assert "does not decode" in reasons[cameras[0]]
    assert "not a frame envelope" in reasons[cameras[1]]


def _ours(record: Any, consumer_name: str, keys: set[bytes]) -> bool:
    letter = decode_record(record.topic, record.key, record.value)
    return (
        isinstance(letter, DeadLetter)
        and letter.consumer == consumer_name
        and (letter.key or "").encode() in keys
    )
