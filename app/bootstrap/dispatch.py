"""The dispatch process's composition root: the core (bus, unit of work, loops), push channels, the
case-event producer, the API context and app, the incident and camera-status consumers, all from a loaded
site, settings and database engine; then the process runs until stopped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from dispatch.api.context import ApiContext
from dispatch.app import create_app
from dispatch.bus import MessageBus
from dispatch.camera_status import CameraStatusBoard
from dispatch.clock import Clock, system_clock
from dispatch.core import DispatchCore
from dispatch.deliveries import DeliveryWorker
from dispatch.evidence import EvidenceFolder
from dispatch.incident_consumer import CONSUMER_NAME
from dispatch.live import LiveFeed
from dispatch.loops import BackgroundLoop
from dispatch.outbox import CaseEventPublisher, KafkaCaseEventPublisher, OutboxRelay, make_case_event_producer
from dispatch.photos import PhotoStore
from dispatch.process import DispatchProcess
from dispatch.push import PushConfigError, PushSettings, build_notifier
from dispatch.push.notice import Notifier
from dispatch.push.wiring import load_vapid_key
from dispatch.push_subscriptions import SubscriptionStore
from dispatch.rating_links import RatingLinkSigner
from dispatch.secret_key import rating_link_key
from dispatch.settings import DispatchSettings
from dispatch.timers import TimerScheduler
from dispatch.unit_of_work import Published, UnitOfWork
from gridwatch.broker import DeadLetterRouter, KafkaSettings, make_consumer
from gridwatch.config import SiteConfig
from gridwatch.messages.topics import INCIDENTS

log = logging.getLogger("gridwatch.dispatch")


class DispatchSetupError(RuntimeError):
    """The dispatch process cannot be set up (push settings, keys, broker settings)."""


def build_core(
    engine: Engine,
    site: SiteConfig,
    settings: DispatchSettings,
    clock: Clock,
    notifier: Notifier,
    publisher: CaseEventPublisher,
    *,
    live: LiveFeed | None = None,
) -> DispatchCore:
    """Wire the dispatch core on ``engine`` (nothing runs until :meth:`DispatchCore.start`)."""
    session_factory = sessionmaker(engine, expire_on_commit=False)
    feed = live or LiveFeed()
    relay = OutboxRelay(session_factory, publisher, clock)
    outbox_loop = BackgroundLoop("dispatch-outbox", relay.publish_pending, settings.timer_poll_s)

    def to_live(published: Sequence[Published]) -> None:
        for item in published:
            feed.publish(item.event, item.audience)

    def wake_relay(published: Sequence[Published]) -> None:
        if published:
            outbox_loop.wake()

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(session_factory, site, settings, clock, after_commit=(to_live, wake_relay))

    bus = MessageBus(uow_factory)
    deliveries = DeliveryWorker(
        uow_factory,
        notifier,
        clock,
        base_url=settings.public_base_url,
        retry_after_s=settings.delivery_retry_after_s,
    )
    scheduler = TimerScheduler(bus, session_factory, clock)
    return DispatchCore(
        site,
        settings,
        clock,
        session_factory,
        bus,
        feed,
        relay,
        deliveries,
        scheduler,
        timer_loop=BackgroundLoop("dispatch-timers", scheduler.run_due, settings.timer_poll_s),
        delivery_loop=BackgroundLoop("dispatch-deliveries", deliveries.run_due, settings.timer_poll_s),
        outbox_loop=outbox_loop,
    )


def run_dispatch(
    site: SiteConfig, settings: DispatchSettings, engine: Engine, *, push_config: Path | None = None
) -> int:
    """Wire and run the dispatch process until it is stopped; its exit status (the engine is disposed)."""
    try:
        kafka = KafkaSettings.from_env()
        push_settings = PushSettings.load(push_config) if push_config else PushSettings()
        key = rating_link_key(settings)
    except (ValueError, OSError) as error:
        engine.dispose()
        raise DispatchSetupError(str(error)) from None
    http = httpx.Client(timeout=10.0)
    producer = make_case_event_producer(kafka)
    try:
        subscriptions = SubscriptionStore(sessionmaker(engine, expire_on_commit=False), system_clock)
        vapid_public_key = None
        try:
            notifier = build_notifier(
                push_settings,
                client=http,
                tz=site.site.tz,
                subscriptions_for=subscriptions.for_person,
                on_gone=subscriptions.forget,
                on_ok=subscriptions.mark_ok,
            )
            if push_settings.webpush is not None:
                vapid_public_key = load_vapid_key(push_settings.webpush, os.environ).public_key_b64url
        except PushConfigError as error:
            raise DispatchSetupError(str(error)) from None
        core = build_core(engine, site, settings, system_clock, notifier, KafkaCaseEventPublisher(producer))
        board = CameraStatusBoard()
        context = ApiContext(
            core,
            PhotoStore(settings.photo_dir),
            RatingLinkSigner(key, system_clock),
            evidence=EvidenceFolder(settings.evidence_root, settings.public_base_url),
            cameras=board,
            vapid_public_key=vapid_public_key,
        )
        process = DispatchProcess(
            core=core,
            app=create_app(context),
            make_consumer=lambda: make_consumer(
                kafka, group_id=settings.consumer_group, topics=[INCIDENTS], client_suffix="dispatch"
            ),
            router=DeadLetterRouter(producer, CONSUMER_NAME),
            host=settings.host,
            port=settings.port,
            make_status_consumer=(
                (lambda: make_consumer(kafka, group_id=None, client_suffix="dispatch-camera-status"))
                if settings.camera_status
                else None
            ),
            camera_board=board,
        )
        log.info(
            "dispatch: API on http://%s:%d (docs at /docs), consuming %s",
            settings.host,
            settings.port,
            INCIDENTS,
        )
        return process.run()
    finally:
        producer.close(timeout=5)
        http.close()
        engine.dispose()
