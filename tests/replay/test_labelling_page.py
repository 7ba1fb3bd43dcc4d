"""The labelling page in real headless Chromium against a real uvicorn server: mark an interval, export it,
re-import it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from gridwatch.config import parse_site
from gridwatch.messages import RuleKind
from gridwatch.runtime.ports import free_port
from ingest.clips import ClipSpec, write_clip
from replay.footage import FootageItem
from replay.labelling.app import create_app
from replay.labels import parse_csv
from tests.replay.scene import scene_site_yaml

pytestmark = pytest.mark.integration

CHROMIUM = os.environ.get("GW_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("labelling")
    clip = write_clip(
        folder / "clip.mp4", ClipSpec(width=320, height=180, fps=5, seconds=20, bitrate=300_000)
    )
    site = parse_site(scene_site_yaml())
    app = create_app(site, [FootageItem(path=clip, camera="cam-t")], [])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="labelling-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright import sync_api

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (set GW_TEST_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _scrub_to(page: Any, index: int) -> None:
    page.eval_on_selector(
        "#scrub",
        "(el, i) => { el.value = String(i); el.dispatchEvent(new Event('input', {bubbles: true})); }",
        index,
    )
    page.wait_for_function(
        "i => document.getElementById('time').textContent === i.toFixed(1) + ' s'", arg=index
    )


def test_mark_an_interval_export_it_and_import_it_again(base_url: str, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        page.wait_for_selector("body[data-ready='true']")
        assert page.eval_on_selector("#scrub", "el => el.max") == "19"  # 20 s sampled once a second
        page.wait_for_function("document.getElementById('frame').naturalWidth > 0")
        # The zones are drawn over the frame: the canvas is not blank.
        painted = page.evaluate(
            """() => { const c = document.getElementById('zones');
                       const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                       let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
        )
        assert painted > 100
        page.select_option("#zone", "z-b")
        page.select_option("#class", "storefront_trading")
        _scrub_to(page, 4)
        page.click("#mark-start")
        _scrub_to(page, 11)
        page.click("#mark-end")
        cells = page.locator("#labels tbody tr td[data-field]").all_inner_texts()
        assert cells == ["cam-t", "z-b", "storefront_trading", "4", "11"]

        with page.expect_download() as download:
            page.click("#export-csv")
        exported = tmp_path / "labels.csv"
        download.value.save_as(exported)
        (label,) = parse_csv(exported.read_text(encoding="utf-8"), str(exported))
        assert (label.camera, label.zone, label.rule, label.start, label.end, label.absolute) == (
            "cam-t", "z-b", RuleKind.STOREFRONT_TRADING, 4.0, 11.0, False,
        )  # fmt: skip

        page.reload()
        page.wait_for_selector("body[data-ready='true']")
        assert page.locator("#labels tbody tr").count() == 0
        page.set_input_files("#import", str(exported))
        page.wait_for_function("document.querySelectorAll('#labels tbody tr').length === 1")
        cells = page.locator("#labels tbody tr td[data-field]").all_inner_texts()
        assert cells == ["cam-t", "z-b", "storefront_trading", "4", "11"]

        bad = tmp_path / "bad.csv"
        bad.write_text("camera,zone,class,start,end\ncam-t,z-b,04,9,3\n", encoding="utf-8")
        page.set_input_files("#import", str(bad))
        page.wait_for_function("document.getElementById('error').textContent.length > 0")
        assert page.inner_text("#error") == "bad.csv:2: end 3 is before start 9"
    finally:
        context.close()
