"""The worker loop: poll a batch across cameras, detect, publish in per-camera order, then commit.

At least once: offsets of a batch are committed only after every detections message of the batch was
acked by the broker (and every rejected record was dead-lettered). Records of partitions revoked while a
batch was being gathered are left for their new owner. Per-camera order holds because a camera's frames
share a partition, the batch keeps each partition's records in offset order, the pipeline keeps that order
and the producer sends with one request in flight per connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kafka import ConsumerRebalanceListener
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata, TopicPartition

from detectors.worker.metrics import DetectMetrics
from detectors.worker.pipeline import DetectionPipeline
from detectors.worker.settings import BatchingSettings
from gridwatch.broker.dead_letter import DeadLetterRouter
from gridwatch.messages import Frame, MalformedMessage, decode_record, encode, key_of
from gridwatch.messages.topics import DETECTIONS, FRAMES

log = logging.getLogger(__name__)

#: Producer settings the worker needs on top of the factory's: keep a camera's results in order on retries.
ORDERED_PRODUCER: dict[str, Any] = {"max_in_flight_requests_per_connection": 1}


@dataclass
class WorkerStats:
    """What a worker has done so far."""

    batches: int = 0
    detected: int = 0
    dead_lettered: int = 0
    partitions_seen: set[int] = field(default_factory=set)


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, worker: DetectWorker) -> None:
        self._worker = worker

    def on_partitions_revoked(self, revoked: Any) -> None:
        self._worker.partitions_revoked(list(revoked))

    def on_partitions_assigned(self, assigned: Any) -> None:
        self._worker.partitions_assigned(list(assigned))


class DetectWorker:
    """One member of the detector consumer group."""

    def __init__(
        self,
        consumer: Any,
        producer: Any,
        router: DeadLetterRouter,
        pipeline: DetectionPipeline,
        batching: BatchingSettings,
        *,
        send_timeout_s: float = 30.0,
        metrics: DetectMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.consumer = consumer
        self.producer = producer
        self.router = router
        self.pipeline = pipeline
        self.batching = batching
        self.send_timeout_s = send_timeout_s
        self.metrics = metrics
        self._clock = clock
        self._wall = wall_clock
        self.stats = WorkerStats()
        self._camera_partition: dict[str, int] = {}
        self._assigned: set[TopicPartition] = set()
        self._revoked: set[TopicPartition] = set()

    # --- group membership ---------------------------------------------------------------------------------
    def subscribe(self) -> None:
        """Join the group on gw.frames, with per-camera state clean-up when partitions move."""
        self.consumer.subscribe([FRAMES], listener=_Rebalance(self))

    @property
    def assignment(self) -> set[TopicPartition]:
        """Partitions this worker owns now."""
        return set(self._assigned)

    def partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        """Called by the consumer after a rebalance: forget the cameras whose partitions went elsewhere.

        Partitions revoked and given back to this worker (every eager rebalance revokes all) keep their
        cameras' state; the frames gathered but not processed are fetched again from the committed offsets.
        """
        self._assigned = set(assigned)
        moved = {tp.partition for tp in self._revoked - self._assigned if tp.topic == FRAMES}
        self._revoked = set()
        cameras = [camera for camera, partition in self._camera_partition.items() if partition in moved]
        self.pipeline.cameras_active.drop(cameras)
        if self.pipeline.extra_signals is not None:
            self.pipeline.extra_signals.drop(cameras)
        for camera in cameras:
            del self._camera_partition[camera]
        log.info(
            "assigned partitions %s; dropped the state of %d cameras that moved away",
            sorted(tp.partition for tp in assigned),
            len(cameras),
        )
        if self.metrics is not None:
            self.metrics.partitions.set(len(self._assigned))

    def partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        """Called by the consumer before a rebalance: stop using records of these partitions."""
        self._revoked |= set(revoked)
        self._assigned -= set(revoked)

    # --- the loop -----------------------------------------------------------------------------------------
    def run(
        self, should_stop: Callable[[], bool] = lambda: False, between: Callable[[], object] | None = None
    ) -> WorkerStats:
        """Process batches until ``should_stop()``; ``between`` runs after each (e.g. a site-file check)."""
        while not should_stop():
            self.run_once()
            if between is not None:
                between()
        return self.stats

    def run_once(self) -> int:
        """Gather, process, publish and commit one batch; the number of records it held."""
        records = self._gather()
        if records:
            self._process(records)
        quiet = self.pipeline.cameras_active.evict_idle()
        if quiet and self.pipeline.extra_signals is not None:
            self.pipeline.extra_signals.drop(quiet)
        if self.metrics is not None:
            self.metrics.cameras.set(len(self.pipeline.cameras_active))
        return len(records)

    def _gather(self) -> list[Any]:
        """Records of up to ``max_batch_size`` frames: the first poll waits, then at most ``max_wait_ms``."""
        wanted = self.batching.max_batch_size
        records: list[Any] = []
        deadline: float | None = None
        while len(records) < wanted:
            if deadline is None:
                timeout_ms = self.batching.poll_timeout_ms
            else:
                timeout_ms = int(max(0.0, deadline - self._clock()) * 1000)
            polled = self.consumer.poll(timeout_ms=timeout_ms, max_records=wanted - len(records))
            for batch in polled.values():
                records.extend(batch)
            if records and (self._assigned or self._revoked):  # a rebalance inside poll: leave revoked
                owned = {(tp.topic, tp.partition) for tp in self._assigned}  # partitions to their owner
                records = [r for r in records if (r.topic, r.partition) in owned]
            if not records:
                return records
            if deadline is None:
                deadline = self._clock() + self.batching.max_wait_ms / 1000
            elif self._clock() >= deadline:
                break
        return records

    def _process(self, records: list[Any]) -> None:
        frames: list[Frame] = []
        frame_records: list[Any] = []
        for record in records:
            try:
                message = decode_record(record.topic, record.key, record.value)
            except MalformedMessage as error:
                self._dead_letter(record, error.reason)
                continue
            if not isinstance(message, Frame):  # pragma: no cover - gw.frames decodes to frames only
                self._dead_letter(record, f"expected a frame, got {type(message).__name__}")
                continue
            frames.append(message)
            frame_records.append(record)
            self._camera_partition[message.camera_id] = record.partition
            self.stats.partitions_seen.add(record.partition)
        futures = []
        published: list[Frame] = []
        for record, outcome in zip(frame_records, self.pipeline.process(frames), strict=True):
            if outcome.message is None:
                self._dead_letter(record, outcome.rejected or "rejected")
                continue
            futures.append(
                self.producer.send(DETECTIONS, key=key_of(outcome.message), value=encode(outcome.message))
            )
            published.append(outcome.frame)
        self.producer.flush(timeout=self.send_timeout_s)
        for future in futures:
            future.get(timeout=self.send_timeout_s)  # raises when the broker refused: nothing is committed
        now = self._wall()
        if self.metrics is not None:
            self.metrics.frames_done("detected", len(published))
            for frame in published:
                self.metrics.lag(now - frame.captured_at)
        self.stats.detected += len(published)
        self.stats.batches += 1
        self._commit(records)

    def _dead_letter(self, record: Any, reason: str) -> None:
        self.router.route(record, reason)
        self.stats.dead_lettered += 1
        if self.metrics is not None:
            self.metrics.frames_done("dead_lettered")

    def _commit(self, records: list[Any]) -> None:
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            current = offsets.get(tp)
            if current is None or record.offset + 1 > current.offset:
                offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        try:
            self.consumer.commit(offsets=offsets)
        except CommitFailedError as error:  # the group rebalanced: the new owner redoes these frames
            log.warning("commit failed after a rebalance (%s); the frames will be detected again", error)
