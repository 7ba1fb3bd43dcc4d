"""Web Push subscriptions: the routes the phone page uses, the store, and the store wired into the Web Push
sender so that a new case reaches a (local, RFC-checking) push service encrypted for the subscribed browser.

Subscriptions here are built by the test's push service (``tests/dispatch/push/push_service.py``): headless
Chromium cannot subscribe offline (see ``test_service_worker.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.bootstrap.dispatch import build_core
from dispatch.api.context import ApiContext
from dispatch.app import create_app
from dispatch.domain.commands import ReceiveIncident
from dispatch.persistence.case_tables import DeliveryRecord
from dispatch.persistence.push_tables import WebPushSubscriptionRecord
from dispatch.photos import PhotoStore
from dispatch.push import PushSettings, WebPushSettings, build_notifier
from dispatch.push.webpush_crypto import VapidKey
from dispatch.push_subscriptions import SubscriptionStore
from dispatch.rating_links import RatingLinkSigner
from dispatch.settings import DispatchSettings
from tests.dispatch.core.api_harness import Api
from tests.dispatch.core.flows import LEADER, WORKER
from tests.dispatch.core.harness import Harness, HarnessFactory, RecordingPublisher, incident, local
from tests.dispatch.push.local_http import LocalHttpServer, Reply
from tests.dispatch.push.push_service import PushService

KEY = VapidKey.generate()


@pytest.fixture
def harness(new_harness: HarnessFactory) -> Harness:
    return new_harness(local("2026-11-23 09:00"))


@pytest.fixture
def api(harness: Harness, tmp_path: Path) -> Api:
    context = ApiContext(
        core=harness.core,
        photos=PhotoStore(tmp_path / "photos"),
        rating_links=RatingLinkSigner(b"k" * 32, harness.clock),
        vapid_public_key=KEY.public_key_b64url,
    )
    return Api(harness, TestClient(create_app(context)))


@pytest.fixture
def push_service(harness: Harness) -> Iterator[tuple[PushService, LocalHttpServer]]:
    service = PushService(harness.clock)
    server = LocalHttpServer(service).start()
    service.origin = server.url
    try:
        yield service, server
    finally:
        server.stop()
    assert server.errors == []


def _rows(harness: Harness) -> list[tuple[str, str]]:
    with Session(harness.engine) as session:
        rows = session.scalars(select(WebPushSubscriptionRecord).order_by(WebPushSubscriptionRecord.id))
        return [(row.person_id, row.endpoint) for row in rows]


def test_the_vapid_public_key_is_public_and_404_when_web_push_is_off(api: Api, tmp_path: Path) -> None:
    answer = api.client.get("/api/v1/push/vapid-public-key")
    assert answer.json() == {"public_key": KEY.public_key_b64url}
    context: ApiContext = api.client.app.state.context  # type: ignore[attr-defined]
    off = TestClient(create_app(replace(context, vapid_public_key=None)))
    answer = off.get("/api/v1/push/vapid-public-key")
    assert answer.status_code == 404
    assert "not configured" in answer.json()["detail"]


def test_subscribe_update_and_unsubscribe(
    api: Api, harness: Harness, push_service: tuple[PushService, LocalHttpServer]
) -> None:
    service, _ = push_service
    phone = service.subscribe("/push/phone-1")
    body = {
        "endpoint": phone.endpoint,
        "expirationTime": None,
        "keys": {"p256dh": phone.p256dh, "auth": phone.auth},
    }

    assert api.client.post("/api/v1/me/push-subscriptions", json=body).status_code == 401
    first = api.post("/api/v1/me/push-subscriptions", WORKER, json=body)
    assert (first.status_code, first.json()) == (
        201,
        {"endpoint": phone.endpoint, "created": True, "subscriptions": 1},
    )
    again = api.post("/api/v1/me/push-subscriptions", WORKER, json=body)
    assert (again.status_code, again.json()["created"], again.json()["subscriptions"]) == (200, False, 1)
    assert _rows(harness) == [(WORKER, phone.endpoint)]

    # the phone is handed to the leader: the endpoint changes hands, it is not duplicated
    assert api.post("/api/v1/me/push-subscriptions", LEADER, json=body).status_code == 200
    assert _rows(harness) == [(LEADER, phone.endpoint)]

    gone = api.client.delete(
        "/api/v1/me/push-subscriptions", params={"endpoint": phone.endpoint}, headers=api.auth(WORKER)
    )
    assert gone.status_code == 404
    assert gone.json() == {"detail": f"{WORKER} has no push subscription at that endpoint"}
    deleted = api.client.delete(
        "/api/v1/me/push-subscriptions", params={"endpoint": phone.endpoint}, headers=api.auth(LEADER)
    )
    assert deleted.status_code == 204
    assert _rows(harness) == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"keys": {"p256dh": "x", "auth": "y"}},
            "a push subscription needs an endpoint string and a keys object",
        ),
        ({"endpoint": "https://push.example/1", "keys": {"p256dh": "x"}}, "lacks keys.p256dh or keys.auth"),
        (
            {"endpoint": "ftp://push.example/1", "keys": {"p256dh": "x", "auth": "y"}},
            "not an absolute http(s) URL",
        ),
        (
            {
                "endpoint": "https://push.example/1",
                "keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
            },
            "is not an uncompressed P-256 point",
        ),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_problem(
    api: Api, harness: Harness, body: dict[str, object], detail: str
) -> None:
    answer = api.post("/api/v1/me/push-subscriptions", WORKER, json=body)
    assert answer.status_code == 422
    assert detail in answer.json()["detail"]
    assert _rows(harness) == []


def test_an_endpoint_too_long_to_keep_is_refused(
    api: Api, harness: Harness, push_service: tuple[PushService, LocalHttpServer]
) -> None:
    service, _ = push_service
    phone = service.subscribe("/push/" + "x" * 1100)
    body = {"endpoint": phone.endpoint, "keys": {"p256dh": phone.p256dh, "auth": phone.auth}}
    answer = api.post("/api/v1/me/push-subscriptions", WORKER, json=body)
    assert answer.status_code == 422
    assert "at most 1024 are kept" in answer.json()["detail"]


def test_a_new_case_is_pushed_to_the_stored_subscription_and_a_gone_one_is_deleted(
    harness: Harness, push_service: tuple[PushService, LocalHttpServer]
) -> None:
    service, _ = push_service
    store = SubscriptionStore(sessionmaker(harness.engine), harness.clock)
    phone = service.subscribe("/push/phone-1")
    old_phone = service.subscribe("/push/old-phone")
    store.save(WORKER, phone)
    store.save(WORKER, old_phone)
    service.script["/push/old-phone"] = [Reply(410, b"unsubscribed")]
    settings = PushSettings(
        channels={
            "webpush": WebPushSettings(
                vapid_private_key_env="GW_TEST_VAPID", subject="mailto:ops@gw.example.org"
            )
        }
    )
    harness.stop()  # the core below, with the real notifier, is the process now
    with httpx.Client() as client:
        notifier = build_notifier(
            settings,
            client=client,
            tz=harness.site.site.tz,
            subscriptions_for=store.for_person,
            on_gone=store.forget,
            on_ok=store.mark_ok,
            env={"GW_TEST_VAPID": KEY.private_pem().decode("ascii")},
            clock=harness.clock,
        )
        core = build_core(
            harness.engine,
            harness.site,
            DispatchSettings(public_base_url="https://gw.example.org"),
            harness.clock,
            notifier,
            RecordingPublisher(),
        )
        with core.running():
            core.bus.handle(ReceiveIncident(incident("inc-push-1")))
            case_id = harness.case_of("inc-push-1").id
            core.delivery_loop.run_round()

    [received] = service.received
    assert received.path == "/push/phone-1"
    assert received.payload["url"] == f"https://gw.example.org/m/cases/{case_id}"
    assert received.payload["title"] == "新任务：非机动车乱停放"
    assert received.claims["_k"] == KEY.public_key_b64url
    assert store.for_person(WORKER) == [phone]  # the gone one was deleted
    with Session(harness.engine) as session:
        row = session.scalars(select(WebPushSubscriptionRecord)).one()
        delivery = session.scalars(select(DeliveryRecord).where(DeliveryRecord.case_id == case_id)).one()
    assert row.last_ok_at == harness.clock()
    assert (delivery.recipient_id, delivery.status.value, delivery.channel) == (
        WORKER,
        "delivered",
        "webpush",
    )
