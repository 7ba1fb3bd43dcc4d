"""Fixtures of the push tests: local HTTP servers, a fixed clock, and a driver that runs a notifier's steps
to the end, moving the clock over the waits it schedules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from dispatch.push.notice import DeliveryOutcome, DeliveryProgress, Notifier, TaskNotice
from gridwatch.config import Person
from tests.dispatch.push.local_http import Handler, LocalHttpServer

SHANGHAI = ZoneInfo("Asia/Shanghai")


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class ScheduledRetries:
    """Takes a notifier's steps until the delivery is finished, as the delivery worker does over its rounds:
    each wait the notifier schedules is recorded in ``waits`` and the clock moved over it (nothing sleeps)."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def deliver(self, notifier: Notifier, person: Person, notice: TaskNotice) -> DeliveryOutcome:
        progress = DeliveryProgress()
        for _ in range(100):
            step = notifier.attempt(person, notice, progress)
            if step.outcome is not None:
                return step.outcome
            self.waits.append(step.retry_in_s)
            self.clock.advance(step.retry_in_s)
            progress = step.progress
        raise AssertionError("the notifier did not finish the delivery in 100 steps")


@pytest.fixture
def clock() -> ManualClock:
    # real "now" so that VAPID expiry checks against the wall clock would also pass
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def retries(clock: ManualClock) -> ScheduledRetries:
    return ScheduledRetries(clock)


@pytest.fixture
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], LocalHttpServer]]:
    """Start a local server per call; all are stopped at teardown, and handler errors fail the test."""
    servers: list[LocalHttpServer] = []

    def start(handler: Handler) -> LocalHttpServer:
        server = LocalHttpServer(handler).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
    errors = [error for server in servers for error in server.errors]
    if errors:
        raise errors[0]
