"""Kafka client factories with the settings that are correct on both Tansu and Apache Kafka.

Producers wait for all in-sync replicas; consumers start from the earliest offset of a new group and
commit explicitly (never rely on end offsets: Tansu answers ListOffsets(LATEST) wrongly). Compression
stays off: frames are JPEG, which does not compress, and everything else is small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from gridwatch.broker.settings import KafkaSettings

#: Largest record a producer sends: Kafka's default ``message.max.bytes`` (a frame's JPEG is capped below).
MAX_REQUEST_BYTES = 1_048_576


def producer_config(settings: KafkaSettings, *, client_suffix: str = "producer") -> dict[str, Any]:
    """Keyword arguments for ``KafkaProducer``."""
    return {
        "bootstrap_servers": settings.bootstrap_list,
        "client_id": f"{settings.client_id}-{client_suffix}",
        "acks": "all",
        "linger_ms": 5,
        "compression_type": None,
        "max_request_size": MAX_REQUEST_BYTES,
        "request_timeout_ms": settings.request_timeout_ms,
    }


def consumer_config(
    settings: KafkaSettings, *, group_id: str | None, client_suffix: str = "consumer"
) -> dict[str, Any]:
    """Keyword arguments for ``KafkaConsumer``; ``group_id=None`` for manual partition assignment."""
    return {
        "bootstrap_servers": settings.bootstrap_list,
        "client_id": f"{settings.client_id}-{client_suffix}",
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
        "request_timeout_ms": max(settings.request_timeout_ms, settings.session_timeout_ms + 5000),
        "max_partition_fetch_bytes": MAX_REQUEST_BYTES,
    }


def make_producer(
    settings: KafkaSettings, *, client_suffix: str = "producer", **overrides: Any
) -> KafkaProducer:
    """A producer for raw bytes (encode messages with ``gridwatch.messages.encode`` and ``key_of``)."""
    return KafkaProducer(**{**producer_config(settings, client_suffix=client_suffix), **overrides})


def make_consumer(
    settings: KafkaSettings,
    *,
    group_id: str | None,
    topics: Sequence[str] = (),
    client_suffix: str = "consumer",
    **overrides: Any,
) -> KafkaConsumer:
    """A consumer of raw bytes, subscribed to ``topics`` when given (decode with ``consume_decoded``)."""
    if group_id is not None and not group_id.strip():
        raise ValueError("group_id is blank; pass a name, or None for manual assignment")
    consumer = KafkaConsumer(
        **{**consumer_config(settings, group_id=group_id, client_suffix=client_suffix), **overrides}
    )
    if topics:
        consumer.subscribe(list(topics))
    return consumer


def make_admin(settings: KafkaSettings, *, client_suffix: str = "admin") -> KafkaAdminClient:
    """An admin client (topic creation and inspection)."""
    return KafkaAdminClient(
        bootstrap_servers=settings.bootstrap_list,
        client_id=f"{settings.client_id}-{client_suffix}",
        request_timeout_ms=settings.request_timeout_ms,
    )
