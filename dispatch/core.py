"""The dispatch core: the bus, its unit of work, the live feed, and the three background loops (timers,
deliveries, outbox relay).

The dispatch process's composition root (:mod:`app.bootstrap.dispatch`, ``build_core``) wires it once and runs
the loops with :meth:`DispatchCore.running` for as long as the process serves; tests wire it with fakes and
drive the same loops with :meth:`~dispatch.loops.BackgroundLoop.run_round`.

Each loop has its own thread (see :mod:`dispatch.loops`): timers fire on time while a push service is slow,
and a commit never waits for the broker. A commit only wakes the outbox relay, which publishes what the commit
recorded (and anything left over) on its own thread; the relay also looks for leftovers every
``timer_poll_s`` seconds, so events recorded while the broker was down go out once it is back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from dispatch.bus import MessageBus
from dispatch.clock import Clock
from dispatch.deliveries import DeliveryWorker
from dispatch.live import LiveFeed
from dispatch.loops import BackgroundLoop
from dispatch.outbox import OutboxRelay
from dispatch.settings import DispatchSettings
from dispatch.timers import TimerScheduler
from dispatch.unit_of_work import UnitOfWork
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
    timer_loop: BackgroundLoop
    delivery_loop: BackgroundLoop
    outbox_loop: BackgroundLoop

    @property
    def loops(self) -> tuple[BackgroundLoop, ...]:
        """The background loops, in the order one round of each makes sense: timers (which may owe pushes),
        deliveries (which record outcomes), the outbox (which publishes what was recorded)."""
        return (self.timer_loop, self.delivery_loop, self.outbox_loop)

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work with the core's after-commit hooks (reads use it too)."""
        return self.bus.uow_factory()

    def start(self) -> None:
        """Start the background loops."""
        for loop in self.loops:
            loop.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the background loops, each after the round it is in (at most ``timeout_s`` each)."""
        for loop in self.loops:
            loop.stop(timeout_s)

    @contextlib.contextmanager
    def running(self) -> Iterator[DispatchCore]:
        """The background loops run for the block."""
        self.start()
        try:
            yield self
        finally:
            self.stop()
