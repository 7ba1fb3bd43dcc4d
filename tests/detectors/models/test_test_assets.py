"""Fetching test images: verified copies are kept, and the Debian one is skipped where APT is missing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from detectors.models import test_assets
from detectors.models.cache import asset_cache_dir
from detectors.models.test_assets import (
    DARKNET_ASSETS,
    DEBIAN_ASSETS,
    TUXPAINT_ASSETS,
    ULTRALYTICS_ASSETS,
    assets_present,
    fetch_test_assets,
)


def _copy_cached(destination: Path, assets: tuple[test_assets.TestAsset, ...]) -> None:
    for asset in assets:
        cached = asset_cache_dir() / asset.name
        if not cached.is_file():
            pytest.skip(f"{cached} is absent: run `gridwatch models fetch-test-assets`")
        shutil.copy(cached, destination / asset.name)


def _no_downloads(*args: Any, **kwargs: Any) -> None:
    raise AssertionError(f"nothing should be downloaded: {args}")


def test_verified_assets_are_not_fetched_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _copy_cached(tmp_path, ULTRALYTICS_ASSETS + DEBIAN_ASSETS + DARKNET_ASSETS + TUXPAINT_ASSETS)
    monkeypatch.setattr("subprocess.run", _no_downloads)
    monkeypatch.setattr("subprocess.Popen", _no_downloads)
    lines: list[str] = []
    paths = fetch_test_assets(tmp_path, lines.append)
    stamps = sorted(a.name for a in TUXPAINT_ASSETS)
    assert sorted(p.name for p in paths) == sorted(
        ["bus.jpg", "dog.jpg", "leuvenB.jpg", "person.jpg", "zidane.jpg", *stamps]
    )
    assert len(stamps) == 24 and all(name.startswith("tuxpaint-") for name in stamps)
    assert assets_present(tmp_path)
    assert "leuvenB.jpg" in (tmp_path / "SOURCE.md").read_text(encoding="utf-8")


def test_without_apt_the_debian_asset_is_skipped_with_a_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _copy_cached(tmp_path, ULTRALYTICS_ASSETS)
    (tmp_path / "leuvenB.jpg").write_bytes(b"not the pinned image")
    monkeypatch.setattr("shutil.which", lambda _: None)
    monkeypatch.setattr("subprocess.run", _no_downloads)
    lines: list[str] = []
    paths = fetch_test_assets(tmp_path, lines.append)
    assert sorted(p.name for p in paths) == ["bus.jpg", "zidane.jpg"]
    assert any(line.startswith("skipped leuvenB.jpg: apt-get/dpkg-deb are not available") for line in lines)
    assert not assets_present(tmp_path)
