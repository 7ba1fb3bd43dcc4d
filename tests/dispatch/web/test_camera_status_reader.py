"""The dispatch process's camera-status reader on the real (embedded) broker: it reads gw.camera-status from
the start without a consumer group, keeps the newest status per camera, and dead-letters what is not one."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from dispatch.camera_status import CONSUMER_NAME, CameraStatusBoard, assign_from_start, consume_camera_status
from gridwatch.broker import DeadLetterRouter, KafkaSettings, make_consumer
from gridwatch.messages import CameraCounters, CameraStatus, encode, key_of
from gridwatch.messages.topics import CAMERA_STATUS

pytestmark = [pytest.mark.integration]


def _status(camera_id: str, status: str, at: float) -> CameraStatus:
    counters = CameraCounters(sampled=5, published=5, skipped_by_gate=0, dropped=0, bad_frames=0)
    return CameraStatus(camera_id=camera_id, status=status, at=at, counters=counters)


def test_reader_keeps_the_newest_status_per_camera(kafka_broker: KafkaSettings, kafka_producer: Any) -> None:
    camera = f"cam-test-{uuid.uuid4().hex[:8]}"
    for message in (
        _status(camera, "online", 100.0),
        _status(camera, "offline", 300.0),
        _status(camera, "degraded", 200.0),
    ):
        kafka_producer.send(CAMERA_STATUS, key=key_of(message), value=encode(message))
    kafka_producer.send(CAMERA_STATUS, key=camera.encode(), value=b"not a status")
    kafka_producer.flush(timeout=10)

    board = CameraStatusBoard()
    stop = threading.Event()
    consumer = make_consumer(kafka_broker, group_id=None, client_suffix="test-camera-status")
    dead_letters: list[bytes] = []  # keys of the records dead-lettered
    router = DeadLetterRouter(kafka_producer, CONSUMER_NAME)
    original_route = router.route

    def route(record: Any, reason: str) -> Any:
        dead_letters.append(record.key)
        return original_route(record, reason)

    router.route = route  # type: ignore[method-assign]
    reader = threading.Thread(target=consume_camera_status, args=(consumer, board, router, stop), daemon=True)
    try:
        assign_from_start(consumer)
        reader.start()
        deadline = time.monotonic() + 20
        # the junk record follows this camera's statuses in their partition (same key)
        while camera.encode() not in dead_letters and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        reader.join(timeout=10)
        consumer.close()
    heard = board.get(camera)
    assert heard is not None
    assert (heard.status.value, heard.at) == (
        "offline",
        300.0,
    )  # the degraded one at 200 came later but is older
    assert dead_letters.count(camera.encode()) == 1
