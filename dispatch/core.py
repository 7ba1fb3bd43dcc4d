"""Wiring of the core: the bus, its unit of work, the outbox relay, the live feed, the delivery worker
and the timer scheduler, from an engine, a site, settings, a clock, a notifier and a case-event publisher.

The composition root (``gridwatch dispatch``) calls :func:`build_core` once; tests call it with fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dispatch.bus import MessageBus
from dispatch.clock import Clock
from dispatch.deliveries import DeliveryWorker
from dispatch.live import LiveFeed
from dispatch.outbox import CaseEventPublisher, OutboxRelay
from dispatch.push.notice import Notifier
from dispatch.settings import DispatchSettings
from dispatch.timers import TimerScheduler
from dispatch.unit_of_work import Published, UnitOfWork
from gridwatch.config import SiteConfig


@dataclass
class DispatchCore:
    """Everything that changes cases, built once per process."""

    site: SiteConfig
    settings: DispatchSettings
    clock: Clock
    session_factory: sessionmaker[Session]
    bus: MessageBus
    live: LiveFeed
    relay: OutboxRelay
    deliveries: DeliveryWorker
    scheduler: TimerScheduler

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work with the core's after-commit hooks (reads use it too)."""
        return self.bus.uow_factory()

    def tick(self) -> None:
        """One round of the background work: fire due timers, send owed pushes, publish left-over events."""
        self.scheduler.run_due()
        self.deliveries.run_pending()
        self.relay.publish_pending()


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
    """Wire the dispatch core on ``engine``."""
    session_factory = sessionmaker(engine, expire_on_commit=False)
    feed = live or LiveFeed()
    relay = OutboxRelay(session_factory, publisher, clock)

    def to_live(published: Sequence[Published]) -> None:
        for item in published:
            feed.publish(item.event, item.audience)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(session_factory, site, settings, clock, after_commit=(to_live, relay.after_commit))

    bus = MessageBus(uow_factory)
    deliveries = DeliveryWorker(
        uow_factory,
        notifier,
        clock,
        base_url=settings.public_base_url,
        retry_after_s=settings.delivery_retry_after_s,
    )
    scheduler = TimerScheduler(bus, session_factory, clock)
    return DispatchCore(site, settings, clock, session_factory, bus, feed, relay, deliveries, scheduler)
