"""The detector worker follows its site file: a changed zone or detection setting reaches the pipeline between
batches without a restart; a file that does not load, or names a verifier that does not exist, changes nothing
and says why."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from detectors.backends.factory import BackendChoice
from detectors.camera_zones import SiteCameras
from detectors.worker.activity import CameraActivity
from detectors.worker.pipeline import DetectionPipeline
from detectors.worker.site_reload import SiteReloader
from gridwatch.config import load_site
from tests.detectors.fakes import BrightBoxBackend

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _touch(path: Path, text: str, clock: _Clock) -> None:
    """Rewrite ``path`` (its modification time moves on) and let the check interval pass."""
    stat = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    clock.now += 10.0


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, DetectionPipeline, SiteReloader, _Clock]:
    site = tmp_path / "site.yaml"
    shutil.copy(EXAMPLE, site)
    pipeline = DetectionPipeline(
        BrightBoxBackend(),
        CameraActivity(300.0, 4096, clock=lambda: 0.0),
        SiteCameras.from_site(load_site(site)),
    )
    clock = _Clock()
    return site, pipeline, SiteReloader(site, pipeline, BackendChoice(), every_s=5.0, clock=clock), clock


def test_a_changed_zone_setting_reaches_the_pipeline_between_batches(
    setup: tuple[Path, DetectionPipeline, SiteReloader, _Clock],
) -> None:
    site, pipeline, reloader, clock = setup
    camera = "cam-0001"
    zones = pipeline.cameras.get(camera)
    assert zones is not None and zones.detection.max_tiles == 12
    assert reloader.check() is False  # nothing changed (and not yet time)
    text = site.read_text(encoding="utf-8").replace(
        "    sample_fps: 0.5                # samples per second",
        "    detection: {max_tiles: 4}\n    sample_fps: 0.5                # samples per second",
        1,
    )
    _touch(site, text, clock)
    assert reloader.check() is True and reloader.reloads == 1
    changed = pipeline.cameras.get(camera)
    assert changed is not None and changed.detection.max_tiles == 4
    clock.now += 10.0
    assert reloader.check() is False  # the same file again: nothing to do


def test_a_broken_file_or_a_missing_verifier_keeps_the_running_configuration(
    setup: tuple[Path, DetectionPipeline, SiteReloader, _Clock], caplog: pytest.LogCaptureFixture
) -> None:
    site, pipeline, reloader, clock = setup
    before = pipeline.cameras
    original = site.read_text(encoding="utf-8")
    _touch(site, original.replace("cameras:", "cameras: [", 1), clock)
    with caplog.at_level(logging.ERROR):
        assert reloader.check() is False
    assert "does not load; the running configuration stays" in caplog.text and pipeline.cameras is before
    line = "    sample_fps: 0.5                # samples per second"
    missing = original.replace(line, f"    detection: {{verifier: {site.parent / 'none'}}}\n{line}", 1)
    caplog.clear()
    _touch(site, missing, clock)
    with caplog.at_level(logging.ERROR):
        assert reloader.check() is False
    assert "camera cam-0001: verifier" in caplog.text and "holds no verifier" in caplog.text
    assert pipeline.cameras is before
