"""Where in ``gw.detections`` the stored camera states stand, so that a worker resumes where its states do.

Each table value records the source record (partition, offset) it was computed from. After a rebalance or a
table recovery the worker must not resume past a record that the restored states have not seen: faust
commits the offsets of every finished record, but a state that only advanced timestamps is kept in memory
(see ``DetectionsHandler``) and a recovery replaces the memory with what the changelog holds. Resuming at the
committed offset then skipped the records in between; with the embedded broker's unreliable ListOffsets a
recovery could even restore a state many seconds older and lose every frame between it and the committed
offset (an ``end`` at the wrong time in the SIGKILL test, once in a CI run).

So every partition is resumed at the earliest of its committed offset and the record after the oldest
state that follows something (a candidate, a stationary person, an open episode). Records read again below
the committed offset are replays: the rules skip frames their camera's state already holds, incidents they
yield again are byte-for-byte repeats (readers keep the highest revision), and dead letters are not sent
twice. An idle state is not rewritten for time alone, so its position says nothing about what followed it; a
camera idle in the restored table resumes like the rest of its partition.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition

from streams.rules.state import CameraState

SOURCE_KEY = "src"
"""Key of the source position, ``[partition, offset]``, in a stored state's JSON (beside the state's keys)."""


def stored_value(state: CameraState, partition: int, offset: int) -> bytes:
    """A table value: the camera's state and the source record it was computed from."""
    body: dict[str, Any] = state.to_json()
    body[SOURCE_KEY] = [partition, offset]
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def followed_position(value: bytes | None) -> tuple[int, int] | None:
    """The (partition, offset) of a stored value whose state follows something; None for an idle state, a
    value without a position (written by an earlier version) or one that cannot be read."""
    if value is None:
        return None
    try:
        body = json.loads(value)
        source = body.get(SOURCE_KEY)
        if not (isinstance(source, list) and len(source) == 2):
            return None
        if CameraState.from_json(body).idle():
            return None
        return int(source[0]), int(source[1])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def resume_offsets(values: Iterable[bytes | None]) -> dict[int, int]:
    """Per source partition, the offset after the oldest stored state that follows something."""
    earliest: dict[int, int] = {}
    for value in values:
        position = followed_position(value)
        if position is None:
            continue
        partition, offset = position
        earliest[partition] = min(earliest.get(partition, offset + 1), offset + 1)
    return earliest


@dataclass
class ReplayMarks:
    """Per source partition, the offset below which records are replays (every one of them was finished
    before the worker went back for its states): set by the transport at each seek, read by the handler."""

    below: dict[int, int] = field(default_factory=dict)

    def is_replay(self, partition: int, offset: int) -> bool:
        return offset < self.below.get(partition, 0)


RESUME_ATTRIBUTE = "gridwatch_resume_points"
"""Attribute of the faust app that holds its :class:`ResumePoints` (read by ``streams.transport``)."""


@dataclass
class ResumePoints:
    """What the transport asks at each seek (the stored positions, from the table's values now) and tells
    back (where the replays end), for one source topic."""

    topic: str
    values: Callable[[], Iterable[bytes | None]]
    marks: ReplayMarks

    def stored(self) -> dict[TopicPartition, int]:
        """Per partition of the source topic, the offset after its oldest state that follows something."""
        return {TopicPartition(self.topic, p): o for p, o in resume_offsets(self.values()).items()}

    def finished(self, below: Mapping[TopicPartition, int]) -> None:
        """Record, per partition, the offset below which every record was finished before this seek."""
        self.marks.below.update({tp.partition: o for tp, o in below.items() if tp.topic == self.topic})
