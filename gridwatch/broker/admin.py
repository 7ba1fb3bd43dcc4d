"""Create every declared topic with its partition count, idempotently, and check what the broker has."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from gridwatch.broker.clients import make_admin
from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages.topics import TOPICS, TopicSpec


class TopicLayoutError(RuntimeError):
    """A topic exists with a layout other than the one declared, or did not become ready in time."""


@dataclass(frozen=True, slots=True)
class TopicState:
    """One topic as the broker reports it after ensure_topics."""

    name: str
    partitions: int
    created: bool


def ensure_topics(
    settings: KafkaSettings,
    topics: Sequence[TopicSpec] = TOPICS,
    *,
    replication_factor: int = 1,
    ready_timeout_s: float = 15.0,
) -> list[TopicState]:
    """Create the missing ``topics``, then check every one has its declared partitions, each with a leader.

    An existing topic with another partition count is an error, never changed: keys map to partitions by
    count, so changing it would split a camera's frames across partitions.
    """
    if replication_factor < 1:
        raise ValueError(f"replication_factor must be at least 1, got {replication_factor}")
    admin = make_admin(settings)
    try:
        existing = set(admin.list_topics())
        created: set[str] = set()
        for spec in topics:
            if spec.name in existing:
                continue
            new = NewTopic(spec.name, spec.partitions, replication_factor, topic_configs=spec.topic_configs())
            try:
                admin.create_topics([new])
            except TopicAlreadyExistsError:
                continue  # another process created it in between: checked below like any other
            created.add(spec.name)
        partitions = _wait_for_leaders(admin, topics, ready_timeout_s)
    finally:
        admin.close()
    return [TopicState(spec.name, partitions[spec.name], spec.name in created) for spec in topics]


def topic_partitions(settings: KafkaSettings) -> dict[str, int]:
    """Every topic the broker has (internal ones excluded) with its partition count."""
    admin = make_admin(settings)
    try:
        names = sorted(name for name in admin.list_topics() if not name.startswith("__"))
        if not names:
            return {}
        return {item["name"]: len(item["partitions"]) for item in admin.describe_topics(names)}
    finally:
        admin.close()


def _wait_for_leaders(admin: Any, topics: Sequence[TopicSpec], timeout_s: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    names = [spec.name for spec in topics]
    while True:
        described = {item["name"]: item for item in admin.describe_topics(names)}
        partitions: dict[str, int] = {}
        waiting: list[str] = []
        for spec in topics:
            item = described.get(spec.name)
            if item is None or item.get("error_code", 0) != 0:
                waiting.append(f"{spec.name} (not described)")
                continue
            count = len(item["partitions"])
            if count != spec.partitions:
                raise TopicLayoutError(
                    f"topic {spec.name} has {count} partitions but {spec.partitions} are declared; "
                    "delete and recreate it (its records are keyed by partition count)"
                )
            if any(part.get("leader_id", -1) < 0 for part in item["partitions"]):
                waiting.append(f"{spec.name} (partitions without a leader)")
                continue
            partitions[spec.name] = count
        if not waiting:
            return partitions
        if time.monotonic() >= deadline:
            raise TopicLayoutError(f"topics not ready after {timeout_s}s: {', '.join(waiting)}")
        time.sleep(0.2)
