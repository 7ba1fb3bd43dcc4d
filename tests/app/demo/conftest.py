"""Shared helpers of the demo tests: the example site, and skips where team footage or the model is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.demo.library import FootageLibrary, find_library

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_SITE = ROOT / "examples" / "site.yaml"


@pytest.fixture(scope="session")
def shared_footage() -> FootageLibrary:
    """The team's shared footage; the test is skipped where it is absent (it is never committed)."""
    library = find_library(os.environ)
    if library is None or not library.complete:
        pytest.skip("the team's shared footage (../shared/data/footage or $GW_FOOTAGE_DIR) is absent")
    return library


@pytest.fixture(scope="session")
def model_built() -> None:
    """Skip unless the default model is in the cache (`gridwatch models build`)."""
    from detectors.models.cache import ModelFiles
    from detectors.models.registry import get_model_spec

    spec = get_model_spec()
    files = ModelFiles.of(spec)
    if not files.is_built(verify=False):
        pytest.skip(f"model {spec.id} is not built in {files.root}: run `gridwatch models build`")
