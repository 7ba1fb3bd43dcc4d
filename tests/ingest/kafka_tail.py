"""Reads topics from the beginning in a background thread and keeps one camera's decoded messages."""

from __future__ import annotations

import threading
from typing import Any

from kafka.structs import TopicPartition

from gridwatch.broker import KafkaSettings, make_consumer
from gridwatch.messages import CameraStatus, Frame, decode_record
from gridwatch.messages.topics import CAMERA_STATUS, FRAMES, topic_named


class CameraTail:
    """Frames and statuses of ``camera_id`` on the broker, as they arrive (manual assignment, no group)."""

    def __init__(self, settings: KafkaSettings, camera_id: str) -> None:
        self.camera_id = camera_id
        self.frames: list[Frame] = []
        self.statuses: list[CameraStatus] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._consumer: Any = make_consumer(settings, group_id=None, client_suffix=f"tail-{camera_id}")
        partitions = []
        for name in (FRAMES, CAMERA_STATUS):
            spec = topic_named(name)
            assert spec is not None
            partitions += [TopicPartition(name, p) for p in range(spec.partitions)]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        key = self.camera_id.encode()
        while not self._stop.is_set():
            batches = self._consumer.poll(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    if record.key != key:
                        continue
                    message = decode_record(record.topic, record.key, record.value)
                    with self._lock:
                        if isinstance(message, Frame):
                            self.frames.append(message)
                        elif isinstance(message, CameraStatus):
                            self.statuses.append(message)

    def snapshot(self) -> tuple[list[Frame], list[CameraStatus]]:
        with self._lock:
            return list(self.frames), list(self.statuses)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._consumer.close()
