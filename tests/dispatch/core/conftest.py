"""Fixtures of the dispatch core tests: a harness on every database backend, Monday 2026-11-23 09:00."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.dispatch.core.harness import Harness, local, make_harness


@pytest.fixture
def harness(migrated_engine: Engine) -> Harness:
    return make_harness(migrated_engine, local("2026-11-23 09:00"))
