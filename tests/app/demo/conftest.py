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


def write_fake_samples(folder: Path) -> Path:
    """Stand-ins for the licensed sample photos, of the pinned files' sizes, with a figure in each
    passer-by's box (for tests of the scene's mechanics that must never be skipped; detection tests read the
    real photos)."""
    import cv2
    import numpy as np

    from app.demo.licensed import PASSERS_BY
    from app.demo.live_scene import SCENE_SIZE

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    width, height = SCENE_SIZE
    street = cv2.GaussianBlur(rng.integers(60, 200, (height, width, 3), dtype=np.uint8), (0, 0), 3)
    cv2.imwrite(str(folder / "leuvenB.jpg"), street)
    sizes = {"bus.jpg": (810, 1080), "person.jpg": (640, 424)}
    for name, (w, h) in sizes.items():
        photo = np.full((h, w, 3), 170, np.uint8)
        for passer in PASSERS_BY:
            if passer.image.name != name:
                continue
            x1, y1, x2, y2 = (round(v) for v in passer.box)
            dx, dy = (x2 - x1) // 5, (y2 - y1) // 12
            cv2.rectangle(photo, (x1 + dx, y1 + 2 * dy), (x2 - dx, y2 - dy), (40, 30, 150), -1)
            cv2.circle(photo, ((x1 + x2) // 2, y1 + dy + dy // 2), max(3, dy), (60, 90, 200), -1)
        cv2.imwrite(str(folder / name), photo)
    return folder


@pytest.fixture(scope="session")
def real_samples() -> Path:
    """The licensed sample photos in the test-asset cache; skipped where `gridwatch models
    fetch-test-assets` has not put leuvenB.jpg there (it needs Debian's APT)."""
    from app.demo.licensed import find_licensed_images
    from detectors.models.cache import asset_cache_dir

    folder = asset_cache_dir()
    if find_licensed_images(folder) is None:
        pytest.skip(f"leuvenB.jpg is not in {folder}: run `gridwatch models fetch-test-assets`")
    return folder
