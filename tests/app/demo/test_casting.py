"""Which camera gets which footage, and only where it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.demo.casting import CastingError, Scene, default_demo_cameras, plan_footage
from app.demo.library import FootageLibrary
from gridwatch.config import FileSource, ImageFolderSource, SiteConfig, load_site
from tests.app.demo.conftest import EXAMPLE_SITE


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(EXAMPLE_SITE)


def _library(tmp_path: Path) -> FootageLibrary:
    return FootageLibrary(
        root=tmp_path,
        parked_photos=(tmp_path / "bikes-a.jpg", tmp_path / "bikes-b.jpg"),
        passers_by_videos=(tmp_path / "street-a.mp4", tmp_path / "street-b.avi"),
    )


def test_the_example_demo_camera_is_its_first_file_camera_with_a_parking_zone(site: SiteConfig) -> None:
    assert default_demo_cameras(site) == ("cam-0003",)


def test_every_enabled_file_and_folder_camera_gets_footage_under_var(
    site: SiteConfig, tmp_path: Path
) -> None:
    plan = plan_footage(site, _library(tmp_path), base_dir=tmp_path)
    wanted = {
        c.id for c in site.cameras if c.enabled and isinstance(c.source, FileSource | ImageFolderSource)
    }
    assert {job.camera.id for job in plan.jobs} == wanted
    assert not any(c.id in wanted for c in site.cameras if not c.enabled)
    for job in plan.jobs:
        assert job.target.is_relative_to(tmp_path / "var" / "footage"), job.target
        assert job.is_folder == isinstance(job.camera.source, ImageFolderSource)
    scenes = {job.camera.id: job.scene for job in plan.jobs}
    assert scenes.pop("cam-0003") is Scene.PARKED_BIKES
    assert set(scenes.values()) == {Scene.PASSERS_BY}
    sources = {job.source for job in plan.jobs if job.scene is Scene.PASSERS_BY}
    assert sources == set(_library(tmp_path).passers_by_videos), "passers-by videos take turns"


def test_present_footage_is_left_alone(site: SiteConfig, tmp_path: Path) -> None:
    clip = tmp_path / "var" / "footage" / "cam-0003.mp4"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(b"a clip")
    folder = tmp_path / "var" / "footage" / "cam-0002"
    folder.mkdir()
    (folder / "notes.txt").write_text("no image matches *.jpg", encoding="utf-8")
    plan = plan_footage(site, _library(tmp_path), base_dir=tmp_path)
    assert ("cam-0003", clip) in plan.present
    assert "cam-0003" not in {job.camera.id for job in plan.jobs}
    assert "cam-0002" in {job.camera.id for job in plan.jobs}, "a folder without matching images is missing"


def test_an_empty_clip_file_counts_as_missing(site: SiteConfig, tmp_path: Path) -> None:
    clip = tmp_path / "var" / "footage" / "cam-0003.mp4"
    clip.parent.mkdir(parents=True)
    clip.touch()
    plan = plan_footage(site, _library(tmp_path), base_dir=tmp_path)
    assert "cam-0003" in {job.camera.id for job in plan.jobs}


def test_without_shared_footage_every_camera_is_synthetic(site: SiteConfig, tmp_path: Path) -> None:
    plan = plan_footage(site, None, base_dir=tmp_path)
    assert plan.jobs and {job.scene for job in plan.jobs} == {Scene.SYNTHETIC}
    assert all(job.source is None for job in plan.jobs)


def test_named_demo_cameras_take_turns_with_the_photos(site: SiteConfig, tmp_path: Path) -> None:
    library = _library(tmp_path)
    plan = plan_footage(site, library, base_dir=tmp_path, demo_camera_ids=["cam-0009", "cam-0003"])
    parked = {job.camera.id: job.source for job in plan.jobs if job.scene is Scene.PARKED_BIKES}
    assert parked == {"cam-0003": library.parked_photos[0], "cam-0009": library.parked_photos[1]}


@pytest.mark.parametrize(
    ("camera_id", "message"),
    [
        ("cam-9999", "not in the site"),
        ("cam-0001", "is disabled"),
        ("cam-0006", "source kind image_folder"),
        ("cam-0007", "no zone with an ebike_parking rule"),
    ],
)
def test_a_camera_that_cannot_be_a_demo_camera_is_refused(
    site: SiteConfig, tmp_path: Path, camera_id: str, message: str
) -> None:
    with pytest.raises(CastingError, match=message):
        plan_footage(site, _library(tmp_path), base_dir=tmp_path, demo_camera_ids=[camera_id])
