"""Fixtures of the API tests: the example site, Monday 2026-11-23 09:00, on every database backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dispatch.core.api_harness import Api, make_api
from tests.dispatch.core.harness import HarnessFactory, local


@pytest.fixture
def api(new_harness: HarnessFactory, tmp_path: Path) -> Api:
    return make_api(new_harness(local("2026-11-23 09:00")), tmp_path / "photos")
