"""`--loop-for`: short footage replayed again and again for a long watch, with times that keep increasing;
and the team's AVI sampled in order (frame index and frame rate, not FFmpeg's decode-order times)."""

from __future__ import annotations

import argparse
import itertools
import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from app.cli import replay_cmd
from replay.errors import ReplayError
from replay.footage import FootageItem, digest
from replay.sampling import expected_samples, sampled_frames
from replay.times import parse_duration

PETS = Path("/work/shared/data/footage/cctv/pets2009_vtest.avi")


def _clip(path: Path, seconds: float, fps: int) -> Path:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(round(seconds * fps)):
            image = np.full((48, 64, 3), (index * 7) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _folder(path: Path, times: list[float]) -> Path:
    import cv2

    path.mkdir()
    for index, at in enumerate(times):
        cv2.imwrite(str(path / f"{index:04d}.jpg"), np.full((48, 64, 3), 40 * index, np.uint8))
        (path / f"{index:04d}.json").write_text(json.dumps({"captured_at": at}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("2.5m", 150)]
)
def test_durations_read_as_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "15x", "m", "10 m5", "0", "-3"])
def test_a_bad_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_a_looped_video_is_sampled_for_the_requested_duration_with_increasing_times(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "three.mp4", seconds=3, fps=10)
    once = list(sampled_frames(FootageItem(path=clip, camera="c"), 1.0, max_side=64))
    assert [round(f.offset_s, 3) for f in once] == [0, 1, 2]
    item = FootageItem(path=clip, camera="c", loop_for_s=10)
    looped = list(sampled_frames(item, 1.0, max_side=64))
    offsets = [f.offset_s for f in looped]
    assert offsets == pytest.approx(list(range(10)), abs=1e-6)  # 4 passes of 3 s, cut at 10 s
    assert all(b > a for a, b in itertools.pairwise(offsets))
    captured = [f.captured_at for f in looped]
    assert all(b > a for a, b in itertools.pairwise(captured))
    # The picture repeats with the clip: the sample at 3 s shows the clip's first frame again.
    assert np.array_equal(looped[3].image, looped[0].image)
    assert expected_samples(item, 1.0) == 10
    assert digest(item) != digest(FootageItem(path=clip, camera="c"))  # its own cache entry


def test_a_looped_image_folder_continues_one_frame_gap_after_its_last_image(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "frames", [1_000.0, 1_001.0, 1_002.0])
    looped = list(sampled_frames(FootageItem(path=folder, camera="c", loop_for_s=7), 1.0, max_side=64))
    assert [f.offset_s for f in looped] == [0, 1, 2, 3, 4, 5, 6]
    assert [f.captured_at for f in looped] == [1_000 + t for t in range(7)]


def test_the_cli_applies_loop_for_to_each_footage_and_refuses_a_bad_one(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "c.mp4", seconds=1, fps=5)
    parser = argparse.ArgumentParser(prog="gridwatch")
    replay_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["replay", "--footage", str(clip), "--camera", "c", "--loop-for", "15m"])
    (item,) = replay_cmd._items(args)
    assert item.loop_for_s == 900
    args = parser.parse_args(["replay", "--footage", str(clip), "--camera", "c", "--loop-for", "15 minutes"])
    with pytest.raises(ReplayError, match="--loop-for: '15 minutes' is not a duration"):
        replay_cmd._items(args)


def test_the_team_avi_sampled_at_1_fps_gives_about_80_samples_in_order() -> None:
    if not PETS.is_file():
        pytest.skip(f"shared footage absent: {PETS}")
    frames = list(sampled_frames(FootageItem(path=PETS, camera="c"), 1.0, max_side=480))
    offsets = [f.offset_s for f in frames]
    assert 78 <= len(frames) <= 81, len(frames)  # 795 frames at 10 fps: 79.5 s
    assert all(b > a for a, b in itertools.pairwise(offsets))
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert min(gaps) == pytest.approx(1.0, abs=0.05) and max(gaps) == pytest.approx(1.0, abs=0.05)
