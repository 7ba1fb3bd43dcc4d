"""Fixtures of the API tests: the example site, Monday 2026-11-23 09:00, on every database backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.dispatch.core.api_harness import Api, make_api
from tests.dispatch.core.harness import local, make_harness


@pytest.fixture
def api(migrated_engine: Engine, tmp_path: Path) -> Api:
    return make_api(make_harness(migrated_engine, local("2026-11-23 09:00")), tmp_path / "photos")
