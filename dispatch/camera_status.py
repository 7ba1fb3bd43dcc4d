"""Camera health for the dashboard: the latest ``gw.camera-status`` message of every camera, in memory.

Ingest sends a camera's status on change and periodically. The dispatch process reads the topic from its
start with no consumer group (every dispatch instance needs every camera) and keeps, per camera, the newest
message by its own timestamp, so records arriving out of order across partitions do no harm. After a
restart it reads the topic again from the start (the topic keeps a week), so the board refills by itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from kafka import TopicPartition

from gridwatch.broker import ConsumeStats, DeadLetterRouter, consume_decoded
from gridwatch.messages import CameraStatus, GwMessage
from gridwatch.messages.topics import CAMERA_STATUS, TOPICS

CONSUMER_NAME = "dispatch-camera-status"


class CameraStatusBoard:
    """The newest status of each camera (thread-safe: the consumer writes, request handlers read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, CameraStatus] = {}

    def update(self, status: CameraStatus) -> bool:
        """Keep ``status`` unless a newer one of the same camera is already kept; True when kept."""
        with self._lock:
            known = self._latest.get(status.camera_id)
            if known is not None and known.at > status.at:
                return False
            self._latest[status.camera_id] = status
            return True

    def get(self, camera_id: str) -> CameraStatus | None:
        """The newest status of ``camera_id``, None when none was heard."""
        with self._lock:
            return self._latest.get(camera_id)

    def snapshot(self) -> Mapping[str, CameraStatus]:
        """A copy of every camera's newest status."""
        with self._lock:
            return dict(self._latest)


def status_handler(board: CameraStatusBoard) -> Callable[[GwMessage], None]:
    """The per-message handler: statuses to the board; anything else on the topic is dead-lettered."""

    def handle(message: GwMessage) -> None:
        if not isinstance(message, CameraStatus):
            raise TypeError(f"expected a CameraStatus on {CAMERA_STATUS}, got {type(message).__name__}")
        board.update(message)

    return handle


def assign_from_start(consumer: Any) -> None:
    """Assign every partition of the status topic to ``consumer`` (no group) and start at the beginning."""
    spec = next(topic for topic in TOPICS if topic.name == CAMERA_STATUS)
    partitions = [TopicPartition(CAMERA_STATUS, number) for number in range(spec.partitions)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)


def consume_camera_status(
    consumer: Any,
    board: CameraStatusBoard,
    router: DeadLetterRouter,
    stop: threading.Event,
    *,
    max_records: int | None = None,
) -> ConsumeStats:
    """Read statuses into ``board`` until ``stop`` is set (or ``max_records``)."""
    return consume_decoded(
        consumer,
        status_handler(board),
        router,
        should_stop=stop.is_set,
        max_records=max_records,
        poll_timeout_ms=500,
    )
