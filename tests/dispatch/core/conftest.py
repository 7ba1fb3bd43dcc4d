"""Fixtures of the dispatch core tests: a harness on every database backend, Monday 2026-11-23 09:00."""

from __future__ import annotations

import pytest

from tests.dispatch.core.harness import Harness, HarnessFactory, local


@pytest.fixture
def harness(new_harness: HarnessFactory) -> Harness:
    return new_harness(local("2026-11-23 09:00"))
