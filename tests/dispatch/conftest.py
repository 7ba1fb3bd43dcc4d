"""Fixtures of the dispatch tests that run a core: harnesses whose loops are stopped after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from dispatch.outbox import CaseEventPublisher
from dispatch.push.notice import Notifier
from gridwatch.config import SiteConfig
from tests.dispatch.core.harness import FakeClock, Harness, HarnessFactory, make_harness


@pytest.fixture
def new_harness(migrated_engine: Engine) -> Iterator[HarnessFactory]:
    """Make harnesses on the test's database; their loops stop after the test, before the database goes."""
    made: list[Harness] = []

    def make(
        start: datetime,
        site: SiteConfig | None = None,
        *,
        notifier_for: Callable[[FakeClock], Notifier] | None = None,
        publisher: CaseEventPublisher | None = None,
        **settings: Any,
    ) -> Harness:
        harness = make_harness(
            migrated_engine, start, site, notifier_for=notifier_for, publisher=publisher, **settings
        )
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.stop()
