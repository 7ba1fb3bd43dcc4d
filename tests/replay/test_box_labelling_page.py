"""The box-labelling page in real headless Chromium against a real uvicorn server, on an export made by the
real exporter: draw a box, set its class by key, next frame (saved); undo, delete, move; the YOLO label files
and examples.json on disk say what the page showed; a rejected case's boxes stay negatives."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from dispatch.label_export import ExportFormat, export_labels
from gridwatch.label_classes import LABEL_CLASS_NAMES
from gridwatch.runtime.ports import free_port
from replay.labelling.boxes import create_box_app
from tests.dispatch.web.live_site import UvicornThread
from tests.fixtures.labels import label_record

pytestmark = pytest.mark.integration

CHROMIUM = os.environ.get("GW_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WIDTH, HEIGHT = 640, 360
AT = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
FALSE_BOX = [400.0, 200.0, 460.0, 300.0]


def _export(folder: Path) -> Path:
    rng = np.random.default_rng(2)
    frames: dict[str, bytes] = {}
    labels = []
    for n, positive in enumerate((False, False, True)):
        image = rng.integers(60, 200, (HEIGHT, WIDTH, 3), dtype=np.uint8)
        frames[f"f{n}"] = cv2.imencode(".jpg", image)[1].tobytes()
        labels.append(
            label_record(
                n,
                positive=positive,
                boxes=[[100.0, 100.0, 200.0, 220.0]] if positive else [FALSE_BOX],
                size=(WIDTH, HEIGHT),
                captured_at=AT + timedelta(hours=n),
            )
        )
    export_labels(labels, folder, ExportFormat.YOLO, fetch=frames.__getitem__)
    return folder


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = _export(tmp_path / "export")
    port = free_port()
    server = UvicornThread(create_box_app(folder), port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", folder
    finally:
        server.stop()


@pytest.fixture
def page(served: tuple[str, Path]) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(served[0] + "/")
        page.wait_for_selector("body[data-ready='1']")
        yield page
        browser.close()


def _drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag on the canvas between two points given in the frame's pixels."""
    rect = page.locator("#canvas").bounding_box()
    scale = rect["width"] / WIDTH
    page.mouse.move(rect["x"] + start[0] * scale, rect["y"] + start[1] * scale)
    page.mouse.down()
    page.mouse.move(rect["x"] + (start[0] + end[0]) / 2 * scale, rect["y"] + (start[1] + end[1]) / 2 * scale)
    page.mouse.move(rect["x"] + end[0] * scale, rect["y"] + end[1] * scale)
    page.mouse.up()


def _manifest(folder: Path) -> list[dict[str, Any]]:
    examples: list[dict[str, Any]] = json.loads((folder / "examples.json").read_text())
    return examples


def _rows(folder: Path, example: dict[str, Any]) -> list[list[float]]:
    image = Path(example["image"])
    text = (folder / "labels" / image.parent.name / (image.stem + ".txt")).read_text()
    return [[float(v) for v in line.split()] for line in text.splitlines()]


def test_draw_classify_and_next_frame_writes_the_yolo_labels(page: Any, served: tuple[str, Path]) -> None:
    _url, folder = served
    assert page.locator("#box-count").inner_text() == "0"  # a rejected case: its box is no label
    _drag(page, (50, 60), (150, 180))
    assert page.locator("#box-count").inner_text() == "1"
    page.keyboard.press("4")  # the 4th class: e_bike (电动自行车)
    page.keyboard.press("n")
    page.wait_for_selector("body[data-frame='1']")
    first = _manifest(folder)[0]
    assert first["polarity"] == "positive" and first["box_classes"] == ["e_bike"]
    assert first["rejected_boxes"] == [FALSE_BOX]  # still a negative for the verifier
    ((cls, cx, cy, w, h),) = _rows(folder, first)
    assert LABEL_CLASS_NAMES[int(cls)] == "e_bike"
    np.testing.assert_allclose(
        [cx * WIDTH, cy * HEIGHT, w * WIDTH, h * HEIGHT], [100, 120, 100, 120], atol=2.5
    )


def test_undo_delete_and_move_before_saving(page: Any, served: tuple[str, Path]) -> None:
    _url, folder = served
    page.keyboard.press("n")  # nothing changed on frame 0: nothing to save
    page.wait_for_selector("body[data-frame='1']")
    _drag(page, (20, 20), (80, 90))
    _drag(page, (300, 100), (380, 200))
    assert page.locator("#box-count").inner_text() == "2"
    page.keyboard.press("Control+z")
    assert page.locator("#box-count").inner_text() == "1"
    page.mouse.click(*_screen(page, (50, 50)))  # select the first box, then delete it
    page.keyboard.press("Delete")
    assert page.locator("#box-count").inner_text() == "0"
    _drag(page, (200, 100), (260, 200))  # a new box ...
    _drag(page, (230, 150), (330, 170))  # ... moved right by 100 and down by 20
    page.keyboard.press("s")
    page.wait_for_selector("body[data-saved='1']")
    example = _manifest(folder)[1]
    np.testing.assert_allclose(example["boxes"][0], [300, 120, 360, 220], atol=2.5)
    assert example["box_classes"] == ["two_wheeler"]  # the class in use: the first one
    assert len(_rows(folder, example)) == 1


def test_the_server_refuses_a_box_outside_the_frame_or_of_an_unknown_class(served: tuple[str, Path]) -> None:
    url, folder = served
    before = (folder / "examples.json").read_text()
    outside = httpx.put(f"{url}/api/frames/0/boxes", json=[{"box": [0, 0, 700, 50], "class": "e_bike"}])
    assert outside.status_code == 422 and "not inside the 640x360 frame" in outside.json()["detail"]
    unknown = httpx.put(f"{url}/api/frames/0/boxes", json=[{"box": [0, 0, 70, 50], "class": "ebike"}])
    assert unknown.status_code == 422 and "unknown class 'ebike'" in unknown.json()["detail"]
    assert httpx.put(f"{url}/api/frames/9/boxes", json=[]).status_code == 404
    assert (folder / "examples.json").read_text() == before  # nothing written


def _screen(page: Any, point: tuple[float, float]) -> tuple[float, float]:
    rect = page.locator("#canvas").bounding_box()
    scale = rect["width"] / WIDTH
    return rect["x"] + point[0] * scale, rect["y"] + point[1] * scale
