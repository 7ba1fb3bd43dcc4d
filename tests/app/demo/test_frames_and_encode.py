"""Fitting images into a camera's frame, and writing clips and image folders that ingest reads back."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from app.demo.encode import (
    FootageWriteError,
    bitrate_for,
    container_for,
    folder_image_name,
    write_clip,
    write_folder,
)
from app.demo.footage import synthetic_frames
from app.demo.frames import (
    FootageReadError,
    add_sensor_noise,
    letterbox,
    read_photo,
    restore_aspect,
    video_frames,
)
from ingest.sources.image_folder import read_sidecar


def _grey(width: int, height: int, level: int = 200) -> np.ndarray:
    return np.full((height, width, 3), level, np.uint8)


def test_a_portrait_image_is_pillarboxed_into_a_landscape_frame() -> None:
    out = letterbox(_grey(720, 1280), 1280, 720)
    assert out.shape == (720, 1280, 3)
    assert out[:, :436].max() == 0 and out[:, 843:].max() == 0, "black bars left and right"
    assert out[:, 438:841].min() == 200, "the image, scaled to the full height, in the middle"


def test_a_wide_image_is_letterboxed_top_and_bottom() -> None:
    out = letterbox(_grey(400, 100), 800, 400)
    assert out[:98].max() == 0 and out[302:].max() == 0 and out[102:298].min() == 200


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, -1)])
def test_letterbox_refuses_an_empty_target(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        letterbox(_grey(10, 10), width, height)


def test_restore_aspect_keeps_the_height() -> None:
    assert restore_aspect(_grey(720, 1280), 1.5).shape == (1280, 1920, 3)
    with pytest.raises(ValueError, match="aspect"):
        restore_aspect(_grey(4, 4), 0)


def test_sensor_noise_is_bounded_and_changes_pixels() -> None:
    base = _grey(64, 48, 128)
    noisy = add_sensor_noise(base, np.random.default_rng(1), 3)
    diff = noisy.astype(int) - base.astype(int)
    assert np.abs(diff).max() == 3 and np.count_nonzero(diff) > diff.size // 2
    assert add_sensor_noise(base, np.random.default_rng(1), 0) is base


def test_unreadable_inputs_are_named(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image")
    with pytest.raises(FootageReadError, match=r"junk\.jpg is not a readable image"):
        read_photo(junk)
    with pytest.raises(FootageReadError, match="does not open as a video"):
        list(video_frames(tmp_path / "missing.mp4", 5, 1))


def test_a_clip_is_h264_at_the_camera_size_and_resamples_back(tmp_path: Path) -> None:
    path = tmp_path / "footage" / "cam.mp4"
    frames = list(synthetic_frames(320, 180, 10, 30, seed=3))
    assert write_clip(path, iter(frames), width=320, height=180, fps=10, gop_s=1.0) == 30
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 320, 180)
        keyframes = [frame.key_frame for frame in container.decode(stream)]
    assert len(keyframes) == 30 and sum(keyframes) == 3, "a key frame every second"
    assert len(list(video_frames(path, 5, 60))) == 15, "3 s at 10 fps resampled to 5 fps"
    assert len(list(video_frames(path, 5, 1))) == 5
    assert not list(tmp_path.glob("footage/.*")), "no partial file left behind"


def test_a_failed_clip_leaves_nothing_that_looks_present(tmp_path: Path) -> None:
    path = tmp_path / "cam.mp4"
    with pytest.raises(FootageWriteError, match="frame 1 is 10x10, the clip 32x16"):
        write_clip(path, iter([_grey(32, 16), _grey(10, 10)]), width=32, height=16, fps=5, gop_s=1)
    with pytest.raises(FootageWriteError, match="no frames"):
        write_clip(path, iter([]), width=32, height=16, fps=5, gop_s=1)
    assert list(tmp_path.iterdir()) == []


def test_clip_containers_and_bitrates() -> None:
    assert container_for(Path("a.MP4")) == "mp4" and container_for(Path("a.mkv")) == "matroska"
    with pytest.raises(FootageWriteError, match=r"cannot write a clip to a\.gif"):
        container_for(Path("a.gif"))
    assert bitrate_for(1920, 1080) == 2_000_000 and bitrate_for(2560, 1440) > bitrate_for(1920, 1080)
    assert bitrate_for(16, 16) == 500_000


def test_an_image_folder_has_sidecars_ingest_reads(tmp_path: Path) -> None:
    folder = tmp_path / "cam-0002"
    images = [(1_700_000_000.0 + 2 * i, _grey(32, 18, 10 * i)) for i in range(3)]
    assert write_folder(folder, iter(images), pattern="*.jpg") == 3
    files = sorted(folder.glob("*.jpg"))
    assert [p.name for p in files] == ["000001.jpg", "000002.jpg", "000003.jpg"]
    assert [read_sidecar(p) for p in files] == [t for t, _ in images]
    assert read_photo(files[0]).shape == (18, 32, 3)


def test_an_image_folder_is_never_written_over_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "cam"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(FootageWriteError, match="not an empty folder"):
        write_folder(folder, iter([(1.0, _grey(8, 8))]), pattern="*.jpg")
    assert [p.name for p in folder.iterdir()] == ["mine.txt"]


def test_generated_names_must_match_the_cameras_pattern() -> None:
    assert folder_image_name(7, "*.png") == "000007.png"
    with pytest.raises(FootageWriteError, match="does not match the generated names"):
        folder_image_name(1, "cam1_*.jpg")


def test_synthetic_streets_are_quiet_so_the_motion_gate_sends_only_keepalives() -> None:
    from gridwatch.config import MotionGate as GateConfig
    from gridwatch.messages import FrameReason
    from ingest.motion_gate import MotionGate
    from ingest.settings import IngestSettings

    config, settings = GateConfig(), IngestSettings()
    gate = MotionGate(
        enabled=config.enabled,
        min_changed_fraction=config.min_changed_fraction,
        keepalive_s=config.keepalive_s,
        pixel_threshold=settings.motion_pixel_threshold,
        width=settings.motion_gate_width,
    )
    frames = list(synthetic_frames(640, 360, 2, 300, seed=3))  # 150 s at 2 fps, sampled at 0.5 fps
    assert len({frame.tobytes().__hash__() for frame in frames}) == len(frames), "sensor noise: never frozen"
    reasons = []
    for index, frame in enumerate(frames[::4]):
        decision = gate.decide(frame, 1_800_000_000.0 + 2.0 * index)
        if decision.reason is not None:
            gate.commit(decision)
            reasons.append(decision.reason)
    assert reasons == [FrameReason.FIRST, FrameReason.KEEPALIVE, FrameReason.KEEPALIVE]
