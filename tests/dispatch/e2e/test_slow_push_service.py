"""A push service that takes 20 s to answer, against the core's real loops and a real local push service
(VAPID and aes128gcm checked): escalation deadlines fire on time meanwhile, the push's retry is scheduled on
the core's clock (no thread sleeps through it), and a service slower than the channel's timeout is cut off."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.persistence.case_tables import DeliveryRecord
from dispatch.push import PushSettings, build_notifier
from dispatch.push.notice import Notifier
from dispatch.push.webpush_crypto import VapidKey
from dispatch.push_subscriptions import SubscriptionStore
from tests.dispatch.core.flows import LEADER, WORKER, file_case
from tests.dispatch.core.harness import SHANGHAI, FakeClock, Harness, HarnessFactory, local
from tests.dispatch.push.local_http import LocalHttpServer, Reply, Request
from tests.dispatch.push.push_service import PushService
from tests.dispatch.waiting import DEADLINE_S, wait_until

pytestmark = [pytest.mark.integration]

ANSWER_AFTER_S = 20.0
"""How long the slow push service takes over a request (unless the test lets it answer sooner)."""

KEY = VapidKey.generate()


class SlowPushService:
    """A push service on a bad day: the first request is answered only after :data:`ANSWER_AFTER_S` (or when
    ``answer_now`` is set), later ones at once; the answers are those of the RFC-checking push service."""

    def __init__(self, inner: PushService) -> None:
        self.inner = inner
        self.answer_now = threading.Event()
        self._changed = threading.Condition()
        self.arrived = 0
        self.answered = 0

    def __call__(self, request: Request) -> Reply:
        with self._changed:
            self.arrived += 1
            first = self.arrived == 1
            self._changed.notify_all()
        if first:
            self.answer_now.wait(ANSWER_AFTER_S)
        reply = self.inner(request)
        with self._changed:
            self.answered += 1
            self._changed.notify_all()
        return reply

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(condition, timeout=DEADLINE_S):
                raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Phone:
    """The worker's phone subscribed at the slow push service, and the notifier the core sends with."""

    engine: Engine
    service: SlowPushService
    server: LocalHttpServer
    client: httpx.Client = field(default_factory=httpx.Client)
    clocks: list[FakeClock] = field(default_factory=list)

    def notifier_for(self, webpush_timeout_s: float) -> Callable[[FakeClock], Notifier]:
        def make(clock: FakeClock) -> Notifier:
            self.clocks.append(clock)
            store = SubscriptionStore(sessionmaker(self.engine), clock)
            store.save(WORKER, self.service.inner.subscribe("/push/phone-1"))
            settings = PushSettings.from_mapping(
                {
                    "webpush": {
                        "vapid_private_key_env": "GW_VAPID",
                        "subject": "mailto:ops@gw.example.org",
                        "timeout_s": webpush_timeout_s,
                    },
                    "retry": {"initial_backoff_s": 60, "max_backoff_s": 600},
                }
            )
            return build_notifier(
                settings,
                client=self.client,
                tz=SHANGHAI,
                subscriptions_for=store.for_person,
                on_gone=store.forget,
                on_ok=store.mark_ok,
                env={"GW_VAPID": KEY.private_pem().decode("ascii")},
                clock=clock,
            )

        return make


@pytest.fixture
def phone(migrated_engine: Engine) -> Iterator[Phone]:
    clocks: list[FakeClock] = []
    inner = PushService(lambda: clocks[-1]())  # the core's clock: VAPID expiry is checked against it
    service = SlowPushService(inner)
    server = LocalHttpServer(service).start()
    inner.origin = server.url
    found = Phone(migrated_engine, service, server, clocks=clocks)
    try:
        yield found
    finally:
        service.answer_now.set()  # a request still held answers now, so no server thread outlives the test
        server.stop()
        found.client.close()
    assert server.errors == []


def _worker_delivery(harness: Harness) -> DeliveryRecord:
    with Session(harness.engine) as session:
        return session.scalars(select(DeliveryRecord).where(DeliveryRecord.recipient_id == WORKER)).one()


def test_deadlines_fire_while_a_push_takes_20_s_and_its_retry_comes_when_scheduled(
    new_harness: HarnessFactory, phone: Phone
) -> None:
    phone.service.inner.script["/push/phone-1"] = [Reply(503, b"busy")]  # the slow answer: try again later
    harness = new_harness(local("2026-11-23 09:00"), notifier_for=phone.notifier_for(webpush_timeout_s=60))
    case_id = file_case(harness)
    harness.core.delivery_loop.wake()  # the delivery thread takes the push and waits for the service
    phone.service.wait_for(lambda: phone.service.arrived == 1, "the push to reach the push service")

    harness.clock.set(local("2026-11-23 09:30"))  # the worker's accept deadline
    harness.core.timer_loop.run_round()

    assert harness.case(case_id).assignee_id == LEADER
    assert harness.kinds(case_id).count("escalated") == 1
    assert phone.service.answered == 0  # the deadline fired while the push was still hanging

    phone.service.answer_now.set()
    wait_until(lambda: _worker_delivery(harness).next_attempt_at is not None, "the retry to be scheduled")
    waiting = _worker_delivery(harness)
    assert waiting.status.value == "pending"
    assert waiting.next_attempt_at == local("2026-11-23 09:31")  # 60 s of backoff on the core's clock
    assert [(a["channel"], a["ok"]) for a in waiting.attempt_log or []] == [("webpush", False)]
    assert "answered HTTP 503" in (waiting.attempt_log or [{}])[0]["detail"]

    harness.core.delivery_loop.run_round()
    assert phone.service.arrived == 1  # not due before 09:31

    harness.clock.set(local("2026-11-23 09:31"))
    harness.core.delivery_loop.run_round()
    done = _worker_delivery(harness)
    assert phone.service.arrived == 2
    assert (done.status.value, done.channel) == ("delivered", "webpush")
    assert [a["ok"] for a in (done.outcome or {})["attempts"]] == [False, True]
    assert "delivered" in harness.kinds(case_id)
    [received] = phone.service.inner.received
    assert received.payload["case_id"] == case_id


def test_a_push_service_slower_than_the_channel_timeout_is_cut_off_and_retried_later(
    new_harness: HarnessFactory, phone: Phone
) -> None:
    harness = new_harness(local("2026-11-23 09:00"), notifier_for=phone.notifier_for(webpush_timeout_s=0.5))
    file_case(harness)

    harness.core.delivery_loop.run_round()

    waiting = _worker_delivery(harness)
    assert phone.service.answered == 0  # the service had not answered: the timeout ended the try
    assert (waiting.status.value, waiting.next_attempt_at) == ("pending", local("2026-11-23 09:01"))
    [attempt] = waiting.attempt_log or []
    assert "unreachable: ReadTimeout" in attempt["detail"]
