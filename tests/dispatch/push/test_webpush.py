"""Web Push to a local push service that verifies VAPID and decrypts the payload (RFC 8291)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from dispatch.push import NoticeKind, PushSettings, WebPushSender, WebPushSettings, WebPushSubscription
from dispatch.push.channel import SendStatus
from dispatch.push.webpush import MAX_PLAINTEXT_BYTES, push_payload
from dispatch.push.webpush_crypto import VapidKey
from dispatch.push.wiring import build_notifier
from gridwatch.config import WebPushChannel
from tests.dispatch.push.conftest import SHANGHAI, ManualClock, ScheduledRetries
from tests.dispatch.push.local_http import Handler, LocalHttpServer, Reply
from tests.dispatch.push.push_service import PushService
from tests.dispatch.push.samples import notice, person

WEBPUSH = WebPushChannel(kind="webpush")


class Setup:
    def __init__(self, serve: Callable[[Handler], LocalHttpServer], clock: ManualClock, client: httpx.Client):
        self.service = PushService(clock)
        self.server = serve(self.service)
        self.service.origin = self.server.url
        self.subscriptions: list[WebPushSubscription] = []
        self.gone: list[WebPushSubscription] = []
        self.key = VapidKey.generate()
        self.settings = WebPushSettings(vapid_private_key_env="GW_VAPID", subject="mailto:ops@gw.example.org")
        self.sender = WebPushSender(
            self.settings,
            vapid_key=self.key,
            subscriptions_for=lambda person_id: list(self.subscriptions),
            on_gone=self.gone.append,
            client=client,
            clock=clock,
            tz=SHANGHAI,
        )


@pytest.fixture
def setup(
    serve: Callable[[Handler], LocalHttpServer], clock: ManualClock, http_client: httpx.Client
) -> Setup:
    return Setup(serve, clock, http_client)


def test_push_is_decrypted_by_the_subscriber_and_carries_the_task(setup: Setup) -> None:
    setup.subscriptions.append(setup.service.subscribe("/push/phone-1"))

    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice())

    assert result.status is SendStatus.DELIVERED, result.detail
    [received] = setup.service.received
    assert received.payload == {
        "title": "新任务：非机动车乱停放",
        "body": "地点：学府路与育才路交叉口东北角 / 盲道\n已持续 13 分钟\n案卷号：C-20250512-0007\n"
        "处置时限：5月12日 14:30 前",
        "url": "https://gw.example.org/m/cases/C-20250512-0007",
        "case_id": "C-20250512-0007",
        "kind": "new_task",
        "class_code": "06",
        "evidence_url": "https://gw.example.org/evidence/C-0007.jpg",
        "deadline_at": "2025-05-12T06:30:00+00:00",
    }
    assert received.claims["_k"] == setup.key.public_key_b64url
    assert received.claims["sub"] == "mailto:ops@gw.example.org"
    assert received.headers["urgency"] == "high"
    assert received.headers["ttl"] == "86400"
    assert len(received.headers["topic"]) == 32


def test_reminder_is_sent_with_normal_urgency(setup: Setup) -> None:
    setup.subscriptions.append(setup.service.subscribe("/push/phone-1"))

    setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice(NoticeKind.REMINDER))

    [received] = setup.service.received
    assert received.headers["urgency"] == "normal"
    assert received.payload["title"] == "催办：非机动车乱停放"


def test_every_phone_of_the_person_gets_it_and_a_gone_one_is_reported(setup: Setup) -> None:
    alive = setup.service.subscribe("/push/phone-1")
    gone = setup.service.subscribe("/push/phone-2")
    setup.service.script["/push/phone-2"] = [Reply(410, b"unsubscribed")]
    setup.subscriptions.extend([gone, alive])

    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice())

    assert result.ok
    assert "1 of 2" in result.detail
    assert setup.gone == [gone]
    assert [r.path for r in setup.service.received] == ["/push/phone-1"]


@pytest.mark.parametrize(("status", "expected"), [(404, SendStatus.PERMANENT), (410, SendStatus.PERMANENT)])
def test_gone_subscription_is_reported_for_removal(setup: Setup, status: int, expected: SendStatus) -> None:
    only = setup.service.subscribe("/push/phone-1")
    setup.service.script["/push/phone-1"] = [Reply(status)]
    setup.subscriptions.append(only)

    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice())

    assert result.status is expected
    assert setup.gone == [only]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_busy_push_service_is_transient(setup: Setup, status: int) -> None:
    setup.subscriptions.append(setup.service.subscribe("/push/phone-1"))
    setup.service.script["/push/phone-1"] = [Reply(status, b"later", {"Retry-After": "7"})]

    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice())

    assert result.status is SendStatus.TRANSIENT
    assert result.retry_after_s == 7.0
    assert setup.gone == []


def test_bad_request_is_permanent(setup: Setup) -> None:
    setup.subscriptions.append(setup.service.subscribe("/push/phone-1"))
    setup.service.script["/push/phone-1"] = [Reply(400, b"bad")]

    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice())

    assert result.status is SendStatus.PERMANENT
    assert "HTTP 400" in result.detail


def test_person_without_subscription_is_a_permanent_failure(setup: Setup) -> None:
    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice())

    assert result.status is SendStatus.PERMANENT
    assert "no web push subscription" in result.detail


def test_unreachable_push_service_is_transient(setup: Setup) -> None:
    subscription = setup.service.subscribe("/push/phone-1")
    setup.subscriptions.append(
        WebPushSubscription(
            endpoint="http://127.0.0.1:9/push/phone-1", p256dh=subscription.p256dh, auth=subscription.auth
        )
    )

    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice())

    assert result.status is SendStatus.TRANSIENT
    assert "unreachable" in result.detail


def test_long_body_is_cut_to_fit_4096_bytes_and_still_decrypts(setup: Setup) -> None:
    setup.subscriptions.append(setup.service.subscribe("/push/phone-1"))
    long_place = "很长的地点描述" * 400

    result = setup.sender.send(person({"kind": "webpush"}), WEBPUSH, notice(place=long_place))

    assert result.ok, result.detail
    [received] = setup.service.received
    assert received.body_size <= 4096
    assert received.payload["body"].endswith("…")
    assert received.payload["case_id"] == "C-20250512-0007"
    assert len(push_payload(notice(place=long_place), SHANGHAI)) <= MAX_PLAINTEXT_BYTES


def test_retry_after_429_then_delivery_through_the_notifier(
    serve: Callable[[Handler], LocalHttpServer],
    clock: ManualClock,
    retries: ScheduledRetries,
    http_client: httpx.Client,
) -> None:
    service = PushService(clock)
    server = serve(service)
    service.origin = server.url
    subscription = service.subscribe("/push/phone-1")
    service.script["/push/phone-1"] = [Reply(429, b"slow down", {"Retry-After": "5"})]
    key = VapidKey.generate()
    settings = PushSettings.model_validate(
        {"webpush": {"vapid_private_key_env": "GW_VAPID", "subject": "mailto:ops@gw.example.org"}}
    )
    notifier = build_notifier(
        settings,
        client=http_client,
        tz=SHANGHAI,
        subscriptions_for=lambda person_id: [subscription],
        on_gone=lambda s: None,
        env={"GW_VAPID": key.private_pem().decode()},
        clock=clock,
    )

    outcome = retries.deliver(notifier, person({"kind": "webpush"}), notice())

    assert outcome.delivered and outcome.channel == "webpush"
    assert [a.ok for a in outcome.attempts] == [False, True]
    assert retries.waits == [5.0]  # the Retry-After beats the 1 s initial backoff
    assert service.received[0].claims["_k"] == key.public_key_b64url
