"""The demo camera without the team's footage: the licensed sample scene, planned, varied like a live camera,
and seen by the default detector where the camera's parking zone lies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from app.demo.casting import Scene, plan_footage
from app.demo.footage import FootageOptions, make_footage
from app.demo.library import FootageLibrary
from app.demo.licensed import (
    PASSERS_BY,
    SOURCES_FILE,
    LicensedImagesError,
    find_licensed_images,
)
from app.demo.live_scene import LiveScene, LiveSettings, view_for
from gridwatch.config import Camera, RuleKind, SiteConfig, load_site
from ingest.sources.base import Image
from tests.app.demo.conftest import EXAMPLE_SITE, write_fake_samples

DEMO_CAMERA = "cam-0003"


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(EXAMPLE_SITE)


def _camera(site: SiteConfig, camera_id: str = DEMO_CAMERA) -> Camera:
    (camera,) = [c for c in site.cameras if c.id == camera_id]
    return camera


def test_sample_photos_are_found_only_with_the_scene_photo(tmp_path: Path) -> None:
    assert find_licensed_images(tmp_path / "absent") is None
    with pytest.raises(LicensedImagesError, match="is not a folder"):
        find_licensed_images(tmp_path / "absent", explicit=True)
    assert find_licensed_images(tmp_path) is None  # empty folder: no leuvenB.jpg
    write_fake_samples(tmp_path)
    (tmp_path / "person.jpg").unlink()
    found = find_licensed_images(tmp_path)
    assert found is not None and found.scene == tmp_path / "leuvenB.jpg"
    assert [passer.image.name for passer, _path in found.passers_by] == ["bus.jpg", "bus.jpg"]
    assert [image.name for image in found.used] == ["leuvenB.jpg", "bus.jpg"]


def test_without_shared_footage_the_demo_camera_gets_the_licensed_scene(
    site: SiteConfig, tmp_path: Path
) -> None:
    licensed = find_licensed_images(write_fake_samples(tmp_path / "samples"))
    plan = plan_footage(site, None, base_dir=tmp_path, licensed=licensed)
    scenes = {job.camera.id: (job.scene, job.source) for job in plan.jobs}
    assert plan.demo_camera_ids == (DEMO_CAMERA,)
    assert scenes[DEMO_CAMERA] == (Scene.LICENSED_BIKES, tmp_path / "samples" / "leuvenB.jpg")
    assert {scene for camera_id, (scene, _) in scenes.items() if camera_id != DEMO_CAMERA} == {
        Scene.SYNTHETIC
    }

    # The team's footage, where present, still shows its own photo on the demo camera.
    team = FootageLibrary(root=tmp_path, parked_photos=(tmp_path / "bikes.jpg",), passers_by_videos=())
    with_team = plan_footage(site, team, base_dir=tmp_path, licensed=licensed)
    (demo_job,) = [job for job in with_team.jobs if job.camera.id == DEMO_CAMERA]
    assert (demo_job.scene, demo_job.source) == (Scene.PARKED_BIKES, tmp_path / "bikes.jpg")

    # Without either, the demo camera gets a synthetic street, as before.
    (bare_job,) = [j for j in plan_footage(site, None, base_dir=tmp_path).jobs if j.camera.id == DEMO_CAMERA]
    assert bare_job.scene is Scene.SYNTHETIC


def _differing(a: Image, b: Image, above: int) -> np.ndarray:
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)
    return np.asarray(diff > above)


def test_the_scene_varies_like_a_live_camera_and_loops_seamlessly(site: SiteConfig, tmp_path: Path) -> None:
    images = find_licensed_images(write_fake_samples(tmp_path))
    assert images is not None and len(images.passers_by) == len(PASSERS_BY)
    scene = LiveScene(_camera(site), images)
    settings = LiveSettings(fps=2, seconds=40, noise_levels=3, exposure_change=0.03, seed=7)
    frames = list(scene.frames(settings))
    assert len(frames) == 80
    assert all(f.shape == (720, 1280, 3) for f in frames)

    # No frame repeats another: sensor noise at least.
    digests = {f.tobytes().__hash__() for f in frames}
    assert len(digests) == len(frames)
    # The exposure drifts a little, never a flash.
    means = np.array([float(f.mean()) for f in frames])
    plate_mean = float(scene.plate.mean())
    assert means.max() - means.min() > 0.02 * plate_mean
    assert means.max() - means.min() < 0.12 * plate_mean

    # People walk across: where a frame differs strongly from the plate moves from frame to frame.
    walking = [
        i
        for i in range(len(frames))
        if any(0 < x < 1280 for _s, x, _f, _h in scene.walkers_at(i / settings.fps, settings.seconds))
    ]
    assert len(walking) >= len(frames) // 3
    centres = []
    for index in walking[:6]:
        changed = _differing(frames[index], scene.plate, 60)
        assert changed.sum() > 500, f"frame {index}: nobody visible"
        centres.append(float(np.nonzero(changed)[1].mean()))
    assert max(centres) - min(centres) > 100

    # Seamless loop: nobody in the first and last frames, only noise and exposure.
    for index in (0, len(frames) - 1):
        assert not scene.walkers_at(index / settings.fps, settings.seconds)
        assert _differing(frames[index], scene.plate, 25).mean() < 0.01


def test_the_bicycles_stand_on_the_zone_row_of_the_camera(site: SiteConfig) -> None:
    camera = _camera(site)
    view = view_for(camera, 751, 563)
    assert view.width == camera.width and view.height == camera.height
    (zone,) = [z for z in camera.zones if z.rule(RuleKind.EBIKE_PARKING)]
    x, y = view.to_camera(200.0, 466.0)
    assert cv2.pointPolygonTest(np.array(zone.polygon, np.float32), (x, y), False) > 0


def _frame_at(clip: Path, seconds: float) -> Image:
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds:
                return np.ascontiguousarray(frame.to_ndarray(format="bgr24"))
    raise AssertionError(f"{clip} has no frame at {seconds} s")


@pytest.mark.slow
def test_the_default_detector_finds_the_bicycles_in_the_demo_zone(
    site: SiteConfig, tmp_path: Path, real_samples: Path, model_built: None
) -> None:
    from detectors.backends.factory import BackendChoice, open_backend
    from detectors.camera_zones import CameraZones, SiteCameras
    from detectors.worker.activity import CameraActivity
    from detectors.worker.pipeline import DetectionPipeline
    from gridwatch.config import ObjectKind
    from gridwatch.messages import Frame, FrameReason, SourceKind
    from ingest.frame_encoder import encode_jpeg, fit_longest_side
    from ingest.settings import IngestSettings

    plan = plan_footage(site, None, base_dir=tmp_path, licensed=find_licensed_images(real_samples))
    (job,) = [job for job in plan.jobs if job.camera.id == DEMO_CAMERA]
    assert job.scene is Scene.LICENSED_BIKES
    options = FootageOptions()
    make_footage(replace(plan, jobs=(job,)), options, say=lambda _line: None)
    assert "Apache-2.0 AND BSD-3-Clause" in (job.target.parent / SOURCES_FILE).read_text(encoding="utf-8")

    camera = job.camera
    (zone,) = [zone for zone in camera.zones if zone.rule(RuleKind.EBIKE_PARKING)]
    rule = zone.rule(RuleKind.EBIKE_PARKING)
    assert rule is not None
    polygon = np.array(zone.polygon, np.float32)
    settings = IngestSettings()
    pipeline = DetectionPipeline(
        open_backend(BackendChoice()),  # the detector worker's default model
        CameraActivity(float("inf"), 1, lambda: 0.0),
        SiteCameras({camera.id: CameraZones.of(camera)}),  # its zone tiles, as live
    )
    # Frames with nobody, with a person near the bicycles, far away and close to the camera.
    times = (1.0, 7.0, 19.0, 31.0, 39.0)
    try:
        for seq, seconds in enumerate(times):
            published = fit_longest_side(_frame_at(job.target, seconds), settings.max_side)
            frame = Frame(
                camera_id=camera.id,
                seq=seq,
                captured_at=1_800_000_000.0 + seconds,
                source_kind=SourceKind.FILE,
                width=published.shape[1],
                height=published.shape[0],
                reason=FrameReason.MOTION,
                jpeg=encode_jpeg(published, settings.jpeg_quality),
            )
            (outcome,) = pipeline.process([frame])
            assert outcome.message is not None, outcome
            found = outcome.message.detections
            back = camera.width / outcome.message.frame_width
            inside = 0
            for box, kind in zip(found.xyxy, found.kind, strict=True):
                foot = (float(box[0] + box[2]) / 2 * back, float(box[3]) * back)
                inside += kind is ObjectKind.TWO_WHEELER and cv2.pointPolygonTest(polygon, foot, False) >= 0
            assert inside >= max(2, rule.min_count), f"{seconds} s: {inside} two-wheelers in zone {zone.id}"
    finally:
        pipeline.close()
