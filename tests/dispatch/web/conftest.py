"""Fixtures of the page tests: a live server over a harness core, and one headless Chromium per module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dispatch.camera_status import CameraStatusBoard
from tests.dispatch.core.harness import HarnessFactory, local
from tests.dispatch.web.live_site import LiveSite, start_live_site

CHROMIUM = os.environ.get("GW_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(os.environ.get("GW_TEST_SCREENSHOTS", "/tmp/gridwatch-screenshots"))


@pytest.fixture
def board() -> CameraStatusBoard:
    return CameraStatusBoard()


@pytest.fixture
def live(new_harness: HarnessFactory, tmp_path: Path, board: CameraStatusBoard) -> Iterator[LiveSite]:
    site, server = start_live_site(new_harness(local("2026-11-23 09:00")), tmp_path, board)
    try:
        yield site
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (set GW_TEST_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
