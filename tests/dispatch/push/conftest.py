"""Fixtures of the push tests: local HTTP servers, a fixed clock, a sleep that records instead of waiting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

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


class RecordingSleep:
    """Records the requested waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def clock() -> ManualClock:
    # real "now" so that VAPID expiry checks against the wall clock would also pass
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


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
