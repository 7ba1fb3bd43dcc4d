"""A time range of ``gw.frames`` as replay footage: the frames ingest published, per camera.

Each partition is positioned with ``offsets_for_times`` at the range's start less ``slack_s`` (a partition
whose answer is None, or whose timestamp is negative, as Tansu answers for a time after its last record,
holds nothing in range); records are read until every partition has shown a frame captured ``slack_s`` after
the range's end, or the broker has had nothing more for ``idle_polls`` polls (end offsets are not used:
Tansu reports them wrongly). A frame is in range when its capture time is in [start, end): broker timestamps
only position the read (Tansu indexes its own append time, not the producer's timestamp).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import Frame, MalformedMessage, decode_as
from gridwatch.messages.topics import FRAMES


@dataclass(frozen=True, slots=True)
class FrameRange:
    """What to read: [start, end) in epoch seconds, optionally only some cameras."""

    start: float
    end: float
    cameras: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")


def start_offsets(consumer: Any, partitions: Iterable[Any], start_ms: int) -> dict[Any, int]:
    """Where each partition's records at or after ``start_ms`` begin; partitions with none are left out."""
    answers = consumer.offsets_for_times(dict.fromkeys(partitions, start_ms))
    return {
        tp: answer.offset
        for tp, answer in answers.items()
        if answer is not None and answer.timestamp is not None and answer.timestamp >= 0
    }


def read_frames(
    settings: KafkaSettings,
    wanted: FrameRange,
    *,
    topic: str = FRAMES,
    poll_ms: int = 500,
    idle_polls: int = 3,
    slack_s: float = 60.0,
    consumer: Any = None,
) -> dict[str, list[Frame]]:
    """The frames of the range, per camera, in capture order (records that are not frames are skipped)."""
    from kafka import TopicPartition

    from gridwatch.broker.clients import make_consumer

    own = consumer is None
    reader = make_consumer(settings, group_id=None, client_suffix="replay-frames") if own else consumer
    seek_ms = max(0, round((wanted.start - slack_s) * 1000))
    frames: dict[str, list[Frame]] = defaultdict(list)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or ())]
        reader.assign(partitions)
        offsets = start_offsets(reader, partitions, seek_ms)
        if not offsets:
            return {}
        reader.assign(list(offsets))
        for tp, offset in offsets.items():
            reader.seek(tp, offset)
        open_parts = set(offsets)
        idle = 0
        while open_parts and idle < idle_polls:
            batch = reader.poll(timeout_ms=poll_ms)
            if not batch:
                idle += 1
                continue
            idle = 0
            for tp, records in batch.items():
                for record in records:
                    try:
                        frame = decode_as(Frame, record.value)
                    except MalformedMessage:
                        continue
                    if frame.captured_at >= wanted.end + slack_s:
                        open_parts.discard(tp)
                    in_range = wanted.start <= frame.captured_at < wanted.end
                    if in_range and (wanted.cameras is None or frame.camera_id in wanted.cameras):
                        frames[frame.camera_id].append(frame)
    finally:
        if own:
            reader.close()
    return {camera: sorted(items, key=lambda f: f.captured_at) for camera, items in frames.items()}
