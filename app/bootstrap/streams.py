"""The streams process's composition root: the faust app, its topics, the camera-state table and the rules
agent (the one place a faust ``App`` is built; nothing at import), and the worker that runs it."""

from __future__ import annotations

from typing import Any, cast

import faust

from gridwatch.broker import KafkaSettings
from gridwatch.config import SiteConfig
from gridwatch.messages.topics import DETECTIONS
from streams.agents import Send, acknowledging_sender, make_rules_agent
from streams.app import StreamsApp, faust_options
from streams.handler import DetectionsHandler
from streams.positions import RESUME_ATTRIBUTE, ReplayMarks, ResumePoints
from streams.rules.engine import SiteRules
from streams.settings import StreamsSettings
from streams.topics import declare_topics, partitions_of


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
    marks = ReplayMarks()
    handler = DetectionsHandler(
        SiteRules(site, settings.tuning), consumer_name=settings.app_id, replays=marks
    )
    # the transport resumes each partition where the restored states stand (streams.positions)
    # (read from the consumer's thread: a copy of the memory store's dict, taken at once under the GIL)
    setattr(
        app,
        RESUME_ATTRIBUTE,
        ResumePoints(DETECTIONS, lambda: list(cast(Any, table.data).data.values()), marks),
    )
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
