"""The broker goes down under a running dispatcher: API requests still answer within 1 s (a commit only wakes
the outbox relay, which publishes on its own thread), and the case events recorded meanwhile go out on
``gw.case-events`` once the broker is back. A real embedded broker of this test's own, stopped and started
again on the same port; the API served by a real uvicorn; the producer made as the dispatch process does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import TopicPartition
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.outbox import KafkaCaseEventPublisher, make_case_event_producer
from dispatch.persistence.case_tables import CaseHistoryRecord
from gridwatch.broker import KafkaSettings, make_consumer
from gridwatch.broker.admin import ensure_topics
from gridwatch.broker.embedded import EmbeddedBroker
from gridwatch.messages import CaseEvent, decode
from gridwatch.messages.topics import CASE_EVENTS, TOPICS
from tests.dispatch.api.images import jpeg
from tests.dispatch.core.flows import WORKER
from tests.dispatch.core.harness import Harness, HarnessFactory, local
from tests.dispatch.waiting import wait_until
from tests.dispatch.web.live_site import start_live_site

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ANSWER_WITHIN_S = 1.0
"""The bound issue #10 sets on an API request while the broker is down."""

BACK_WITHIN_S = 120.0
"""Deadline for the relay to publish the leftovers once the broker is back (a send that was in flight when
it went down times out first)."""


class Broker:
    """An embedded broker this test may stop and start again on the same port (memory storage: a restarted
    broker has no topics, so they are created again, as an operator would)."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._broker = EmbeddedBroker(log_path=log_dir / "tansu-1.log")
        self.settings = self._broker.start()
        ensure_topics(self.settings)
        self.port = self._broker.port
        self._starts = 1

    def stop(self) -> None:
        self._broker.stop()

    def restart(self) -> KafkaSettings:
        self._starts += 1
        self._broker = EmbeddedBroker(port=self.port, log_path=self._log_dir / f"tansu-{self._starts}.log")
        self.settings = self._broker.start()
        ensure_topics(self.settings)
        return self.settings


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    found = Broker(tmp_path)
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture
def producer(broker: Broker) -> Iterator[Any]:
    made = make_case_event_producer(broker.settings, client_suffix="test-dispatch")
    try:
        yield made
    finally:
        made.close(timeout=5)


def _partitions(topic: str) -> int:
    return next(spec.partitions for spec in TOPICS if spec.name == topic)


def _unpublished(harness: Harness, case_id: str) -> list[str]:
    with Session(harness.engine) as session:
        rows = session.scalars(
            select(CaseHistoryRecord)
            .where(CaseHistoryRecord.case_id == case_id, CaseHistoryRecord.published_at.is_(None))
            .order_by(CaseHistoryRecord.seq)
        )
        return [row.kind.value for row in rows]


def _event_ids(harness: Harness, case_id: str, kinds: set[str]) -> set[str]:
    with Session(harness.engine) as session:
        rows = session.scalars(select(CaseHistoryRecord).where(CaseHistoryRecord.case_id == case_id))
        return {row.event_id for row in rows if row.kind.value in kinds}


def _timed(call: Any, *args: Any, **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer: httpx.Response = call(*args, **kwargs)
    return answer, time.monotonic() - started


def _work_the_case(client: httpx.Client, case_id: str) -> dict[str, tuple[httpx.Response, float]]:
    """A worker's requests on one case: accept, upload a photo, handle with it, list my tasks; each timed."""
    answers = {"accept": _timed(client.post, f"/api/v1/cases/{case_id}/accept")}
    answers["photo"] = _timed(
        client.post, f"/api/v1/cases/{case_id}/photos", files={"file": ("after.jpg", jpeg(), "image/jpeg")}
    )
    photo_id = answers["photo"][0].json()["id"]
    answers["handle"] = _timed(
        client.post,
        f"/api/v1/cases/{case_id}/handle",
        json={"note": "moved the bikes", "photo_ids": [photo_id]},
    )
    answers["tasks"] = _timed(client.get, "/api/v1/me/tasks")
    return answers


def test_requests_answer_within_1_s_while_the_broker_is_down_and_events_go_out_once_it_is_back(
    new_harness: HarnessFactory, broker: Broker, producer: Any, tmp_path: Path
) -> None:
    harness = new_harness(
        local("2026-11-23 09:00"), publisher=KafkaCaseEventPublisher(producer), timer_poll_s=0.5
    )
    site, server = start_live_site(harness, tmp_path)
    try:
        warm_up_id = site.file_incident("inc-before-outage")
        case_id = site.file_incident("inc-outage")
        harness.tick()
        wait_until(
            lambda: _unpublished(harness, warm_up_id) == _unpublished(harness, case_id) == [],
            "the first events to reach the broker",
        )
        headers = {"Authorization": f"Bearer {site.token(WORKER)}"}
        with httpx.Client(base_url=site.base_url, headers=headers, timeout=30) as client:
            # The same requests on another case with the broker up first: what is timed below is the broker
            # being down, not a cold start (first connection, first use of each route and statement).
            before = _work_the_case(client, warm_up_id)
            assert all(answer.is_success for answer, _seconds in before.values()), before
            wait_until(lambda: _unpublished(harness, warm_up_id) == [], "the warm-up's events to go out")
            broker.stop()
            answers = _work_the_case(client, case_id)
        assert [answer.status_code for answer, _seconds in answers.values()] == [200, 201, 200, 200], answers
        durations = {name: seconds for name, (_answer, seconds) in answers.items()}
        assert max(durations.values()) < ANSWER_WITHIN_S, f"with the broker down: {durations}"
        assert _unpublished(harness, case_id) == ["accepted", "handled"]  # recorded, waiting for the broker

        # The restarted broker is empty until its topics are created again, and a send reaching it first
        # would have its topic created under it (and its records dropped). A real broker keeps its topics;
        # here the relay pauses over the restart, then runs again and publishes what was left on its own.
        harness.core.outbox_loop.stop()
        settings = broker.restart()
        harness.core.outbox_loop.start()
        wait_until(
            lambda: _unpublished(harness, case_id) == [],
            "the events recorded during the outage to be published",
            timeout_s=BACK_WITHIN_S,
        )
    finally:
        server.stop()

    wanted = _event_ids(harness, case_id, {"accepted", "handled"})
    seen: set[str] = set()
    consumer = make_consumer(settings, group_id=None)
    partitions = [TopicPartition(CASE_EVENTS, number) for number in range(_partitions(CASE_EVENTS))]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    try:
        deadline = time.monotonic() + 30
        while not wanted <= seen and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    event = decode(CASE_EVENTS, record.value)
                    assert isinstance(event, CaseEvent)
                    if event.case_id == case_id:
                        seen.add(event.event_id)
    finally:
        consumer.close()
    assert wanted <= seen, f"missing on the restarted broker: {wanted - seen}"
