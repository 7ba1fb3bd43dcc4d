"""The topics of the streams worker: faust declarations from the topic table, and the changelog topic.

faust never creates topics here (``topic_allow_declare=False``): every topic is created with the admin
client first, the changelog with the partition count of ``gw.detections`` because the table is keyed by
camera id exactly as that topic is (a table partition lives where its source partition is consumed).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from gridwatch.broker import KafkaSettings, ensure_topics, make_admin
from gridwatch.messages.topics import DEAD_LETTERS, DETECTIONS, INCIDENTS, TOPICS, topic_named
from streams.settings import StreamsSettings


def partitions_of(name: str) -> int:
    """Declared partition count of a Gridwatch topic."""
    spec = topic_named(name)
    if spec is None:  # pragma: no cover - the names above are in the table
        raise KeyError(name)
    return spec.partitions


@dataclass(frozen=True)
class StreamTopics:
    """The faust topic objects the agent reads and writes (faust is untyped: ``Any`` at this boundary)."""

    detections: Any
    incidents: Any
    dead_letters: Any


def declare_topics(app: Any) -> StreamTopics:
    """faust topic objects for gw.detections (in), gw.incidents and gw.dlq (out); raw bytes both ways."""

    def raw(name: str) -> Any:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions_of(name),
        )

    return StreamTopics(raw(DETECTIONS), raw(INCIDENTS), raw(DEAD_LETTERS))


def ensure_stream_topics(kafka: KafkaSettings, settings: StreamsSettings) -> None:
    """Create every Gridwatch topic and the table's changelog topic (idempotent)."""
    ensure_topics(kafka, TOPICS)
    admin = make_admin(kafka, client_suffix="streams-admin")
    try:
        if settings.changelog_topic in set(admin.list_topics()):
            return
        changelog = NewTopic(settings.changelog_topic, partitions_of(DETECTIONS), 1)
        with suppress(TopicAlreadyExistsError):  # another worker created it in between
            admin.create_topics([changelog])
    finally:
        admin.close()
