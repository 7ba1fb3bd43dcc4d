"""The faust app factory: the one place a faust ``App`` is built (called by the CLI; nothing at import)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust

from gridwatch.broker import KafkaSettings
from gridwatch.config import SiteConfig
from gridwatch.messages.topics import DETECTIONS
from streams import tansu_transport
from streams.agents import Send, acknowledging_sender, make_rules_agent
from streams.handler import DetectionsHandler
from streams.rules.engine import SiteRules
from streams.settings import StreamsSettings
from streams.topics import StreamTopics, declare_topics, partitions_of


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
    scheme = tansu_transport.register() if kafka.embedded else "kafka"
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


def build_app(
    site: SiteConfig, kafka: KafkaSettings, settings: StreamsSettings, *, send: Send | None = None
) -> StreamsApp:
    """The streams app for a site: topics, the camera-state table, and the rules agent."""
    app = faust.App(settings.app_id, **faust_options(kafka, settings))
    topics = declare_topics(app)
    table = app.Table(
        settings.table_name,
        partitions=partitions_of(DETECTIONS),
        key_type=bytes,
        value_type=bytes,
        help="Rule state of each camera (JSON), keyed by camera id like gw.detections.",
    )
    handler = DetectionsHandler(SiteRules(site, settings.tuning), consumer_name=settings.app_id)
    sender = send or acknowledging_sender(settings.send_timeout_s)
    agent = make_rules_agent(app, topics, table, handler, sender)
    return StreamsApp(app=app, topics=topics, table=table, agent=agent, handler=handler)


def run_worker(streams: StreamsApp, log_level: str = "WARNING") -> int:
    """Run a faust worker for the app until it is stopped (SIGINT/SIGTERM); its exit status."""
    worker = faust.Worker(streams.app, loglevel=log_level, quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0
