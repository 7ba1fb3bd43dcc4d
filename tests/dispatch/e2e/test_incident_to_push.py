"""End to end on the real broker and database: an incident on gw.incidents becomes one case, one push, a live
event on the worker's stream, and case events on gw.case-events, however often the incident is redelivered."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import TopicPartition
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.bootstrap.dispatch import build_core
from dispatch.api.context import ApiContext
from dispatch.app import create_app
from dispatch.outbox import KafkaCaseEventPublisher
from dispatch.persistence.case_tables import CaseRecord
from dispatch.persistence.site_sync import sync_site
from dispatch.photos import PhotoStore
from dispatch.process import DispatchProcess
from dispatch.rating_links import RatingLinkSigner
from dispatch.settings import DispatchSettings
from dispatch.tokens import issue_token
from gridwatch.broker import DeadLetterRouter, KafkaSettings, make_admin, make_consumer
from gridwatch.messages import CaseEvent, decode, encode, key_of
from gridwatch.messages.topics import CASE_EVENTS, INCIDENTS
from gridwatch.runtime.ports import free_port
from tests.dispatch.core.harness import EXAMPLE_SITE, FakeClock, RecordingNotifier, incident, local

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def _committed(settings: KafkaSettings, group_id: str, partition: TopicPartition) -> int:
    """The offset ``group_id`` committed on ``partition`` (-1 when none)."""
    admin = make_admin(settings)
    try:
        offsets = admin.list_group_offsets({group_id: [partition]})
    finally:
        admin.close()
    found = offsets.get(group_id, {}).get(partition)
    return -1 if found is None else int(found.offset)


def _sse_lines(url: str, token: str, lines: queue.Queue[str], stop: threading.Event) -> None:
    with (
        httpx.Client(timeout=httpx.Timeout(5.0, read=None)) as client,
        client.stream("GET", url, params={"access_token": token}) as response,
    ):
        for line in response.iter_lines():
            lines.put(line)
            if stop.is_set():
                return


@pytest.fixture
def running(
    migrated_engine: Engine,
    kafka_broker: KafkaSettings,
    kafka_producer: Any,
    unique_group_id: str,
    tmp_path: Path,
) -> Iterator[tuple[DispatchProcess, RecordingNotifier, int]]:
    from gridwatch.config import load_site

    site = load_site(EXAMPLE_SITE)
    with Session(migrated_engine) as session, session.begin():
        sync_site(session, site)
    clock = FakeClock(local("2026-11-23 09:00"))
    notifier = RecordingNotifier(clock)
    port = free_port()
    settings = DispatchSettings(port=port, data_dir=tmp_path, timer_poll_s=0.2, sse_keepalive_s=1.0)
    core = build_core(
        migrated_engine, site, settings, clock, notifier, KafkaCaseEventPublisher(kafka_producer)
    )
    context = ApiContext(core, PhotoStore(tmp_path / "photos"), RatingLinkSigner(b"k" * 32, clock))
    process = DispatchProcess(
        core=core,
        app=create_app(context),
        make_consumer=lambda: make_consumer(kafka_broker, group_id=unique_group_id, topics=[INCIDENTS]),
        router=DeadLetterRouter(kafka_producer, "dispatch-test"),
        host="127.0.0.1",
        port=port,
    )
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(process.run()), daemon=True)
    thread.start()
    _wait_for(lambda: process.server.started, "the API to start")
    try:
        yield process, notifier, port
    finally:
        process.stop()
        thread.join(timeout=30)
    assert result == [0], "the dispatcher did not stop cleanly"


def test_incident_becomes_one_case_one_push_and_live_and_topic_events(
    running: tuple[DispatchProcess, RecordingNotifier, int],
    kafka_broker: KafkaSettings,
    kafka_producer: Any,
    migrated_engine: Engine,
    unique_group_id: str,
) -> None:
    process, notifier, port = running
    with Session(migrated_engine) as session, session.begin():
        token = issue_token(session, "p-002", local("2026-11-23 09:00"))
    lines: queue.Queue[str] = queue.Queue()
    stop_sse = threading.Event()
    threading.Thread(
        target=_sse_lines,
        args=(f"http://127.0.0.1:{port}/api/v1/me/events", token, lines, stop_sse),
        daemon=True,
    ).start()
    assert lines.get(timeout=10).startswith("retry:")
    _wait_for(lambda: process.core.live.subscriber_count("p-002") == 1, "the event stream to subscribe")

    incident_id = f"inc-e2e-{uuid.uuid4().hex[:8]}"
    message = incident(incident_id)
    sent = [  # the original and two redeliveries
        kafka_producer.send(INCIDENTS, key=key_of(message), value=encode(message)).get(timeout=10)
        for _ in range(3)
    ]

    def case() -> CaseRecord | None:
        with Session(migrated_engine) as session:
            return session.scalars(select(CaseRecord).where(CaseRecord.incident_id == incident_id)).first()

    _wait_for(lambda: case() is not None, "the case to be filed")
    found = case()
    assert found is not None
    _wait_for(lambda: any(n.case_id == found.id for n in notifier.sent), "the push")
    partition = TopicPartition(INCIDENTS, sent[-1].partition)
    _wait_for(  # the consumer commits after handling a batch: past the last copy, every copy was handled
        lambda: _committed(kafka_broker, unique_group_id, partition) > sent[-1].offset,
        "the dispatcher to have handled the redeliveries",
    )
    process.core.delivery_loop.run_round()  # and a round of pushes after that, to send any they owed

    with Session(migrated_engine) as session:
        assert (
            len(session.scalars(select(CaseRecord).where(CaseRecord.incident_id == incident_id)).all()) == 1
        )
    pushes = [(n.recipient_id, str(n.kind)) for n in notifier.sent if n.case_id == found.id]
    assert pushes == [("p-002", "new_task")]

    live: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10

    def mine() -> list[str]:  # the topic also carries earlier tests' incidents: keep to this case
        return [e["kind"] for e in live if e["case_id"] == found.id]

    while len(mine()) < 2 and time.monotonic() < deadline:
        line = lines.get(timeout=10)
        if line.startswith("data: ") and line != "data: {}":
            live.append(json.loads(line[len("data: ") :]))
    stop_sse.set()
    # "filed" went to the operators and the leader only: the worker was not involved yet
    assert mine() == ["dispatched", "delivered"]

    consumer = make_consumer(kafka_broker, group_id=unique_group_id + "-events", topics=[CASE_EVENTS])
    kinds: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while set(kinds) < {"filed", "dispatched", "delivered"} and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    event = decode(CASE_EVENTS, record.value)
                    assert isinstance(event, CaseEvent)
                    if event.case_id == found.id:
                        kinds.append(event.kind.value)
    finally:
        consumer.close()
    assert sorted(set(kinds)) == ["delivered", "dispatched", "filed"]
