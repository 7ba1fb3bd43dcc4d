"""faust settings that are correct on Tansu and on Apache Kafka, and the parts of a built streams app."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridwatch.broker import KafkaSettings
from gridwatch.messages.topics import DETECTIONS
from streams import transport
from streams.handler import DetectionsHandler
from streams.settings import StreamsSettings
from streams.topics import StreamTopics, partitions_of


@dataclass(frozen=True)
class StreamsApp:
    """A built streams app and its parts (faust objects are ``Any``: faust has no type hints)."""

    app: Any
    topics: StreamTopics
    table: Any
    agent: Any
    handler: DetectionsHandler


def faust_options(kafka: KafkaSettings, settings: StreamsSettings) -> dict[str, Any]:
    """faust ``App`` settings that are correct on Tansu and on Apache Kafka."""
    scheme = transport.register(embedded=kafka.embedded)
    options: dict[str, Any] = {
        "broker": ";".join(f"{scheme}://{server}" for server in kafka.bootstrap_list),
        "broker_client_id": f"{kafka.client_id}-streams",
        "broker_session_timeout": kafka.session_timeout_ms / 1000,
        "broker_heartbeat_interval": kafka.heartbeat_interval_ms / 1000,
        "broker_request_timeout": max(kafka.request_timeout_ms, kafka.session_timeout_ms + 5000) / 1000,
        "broker_commit_interval": settings.commit_interval_s,
        "consumer_auto_offset_reset": "earliest",  # never 'latest': Tansu answers ListOffsets(LATEST) wrongly
        "store": "memory://",  # the changelog is the durable copy; recovered on start
        "topic_allow_declare": False,  # every topic is created explicitly (streams.topics)
        "topic_disable_leader": True,
        "topic_partitions": partitions_of(DETECTIONS),
        "table_standby_replicas": 0,
        "stream_publish_on_commit": False,  # incidents go out before the state is stored, not at commit
        "key_serializer": "raw",
        "value_serializer": "raw",
        "web_enabled": False,
        "autodiscover": False,
        "datadir": str(Path(tempfile.gettempdir()) / f"{settings.app_id}-data"),
    }
    if kafka.producer_max_batch_size is not None:
        options["producer_max_batch_size"] = kafka.producer_max_batch_size
    return options
