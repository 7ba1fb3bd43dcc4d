from __future__ import annotations

import json
import os
from pathlib import Path
from unittest.mock import ANY

import cv2
import pytest

from gridwatch.config import FolderTimestamps
from gridwatch.messages import CameraState, SourceKind
from ingest.camera_worker import CameraWorker
from ingest.clocks import Clocks
from ingest.counters import Outcome
from ingest.settings import IngestSettings
from ingest.sources.errors import SourceConfigError
from ingest.sources.factory import build_source
from ingest.sources.image_folder import FolderLoop, ImageFolderSource
from tests.ingest.helpers import CollectingOutlet, make_camera, solid


def jpeg(value: int, width: int = 320, height: int = 240) -> bytes:
    ok, data = cv2.imencode(".jpg", solid(width, height, value))
    assert ok
    return data.tobytes()


def run(folder: Path, timestamps: FolderTimestamps) -> tuple[CameraWorker, CollectingOutlet]:
    camera = make_camera(
        source={"kind": "image_folder", "path": str(folder), "timestamps": timestamps.value},
        motion_gate={"enabled": False},
        sample_fps=1.0,
    )
    outlet = CollectingOutlet()
    worker = CameraWorker(
        camera,
        IngestSettings(),
        outlet,
        Clocks(),
        lambda: ImageFolderSource(folder, pattern="*.jpg", timestamps=timestamps),
    )
    worker.run()
    return worker, outlet


def test_images_in_name_order_with_sidecar_times_and_bad_ones_skipped(tmp_path: Path) -> None:
    files = {
        "0001.jpg": (jpeg(10), 1_700_000_000.0),
        "0002.jpg": (b"", 1_700_000_001.0),  # zero-size
        "0003.jpg": (jpeg(30)[:-400], 1_700_000_002.0),  # truncated JPEG
        "0004.jpg": (b"\xff\xd8garbage\xff\xd9", 1_700_000_003.0),  # corrupt
        "0005.jpg": (jpeg(50, 300, 300), 1_700_000_004.0),  # wrong shape for a 320x240 camera
        "0006.jpg": (jpeg(60), "2023-11-14T22:13:25+00:00"),
        "0007.jpg": (jpeg(70), None),  # no sidecar
    }
    for name, (data, at) in files.items():
        (tmp_path / name).write_bytes(data)
        if at is not None:
            (tmp_path / name).with_suffix(".json").write_text(json.dumps({"captured_at": at}))
    worker, outlet = run(tmp_path, FolderTimestamps.SIDECAR)
    assert [f.captured_at for f in outlet.frames] == [1_700_000_000.0, 1_700_000_005.0]
    assert {f.source_kind for f in outlet.frames} == {SourceKind.DIRECTORY}
    assert worker.counters[Outcome.BAD_FRAMES] == 5
    assert "all 7 images read" in outlet.statuses[-1].reason
    assert outlet.statuses[-1].status is CameraState.FINISHED


def test_mtime_timestamps(tmp_path: Path) -> None:
    for index, at in enumerate((1_600_000_000, 1_600_000_003, 1_600_000_006)):
        path = tmp_path / f"img{index}.jpg"
        path.write_bytes(jpeg(20 * index))
        os.utime(path, (at, at))
    _worker, outlet = run(tmp_path, FolderTimestamps.MTIME)
    assert [f.captured_at for f in outlet.frames] == [1_600_000_000, 1_600_000_003, 1_600_000_006]


def test_missing_or_empty_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="does not exist"):
        ImageFolderSource(tmp_path / "nope", pattern="*.jpg", timestamps=FolderTimestamps.MTIME).open()
    with pytest.raises(SourceConfigError, match=r"no file matching '\*\.jpg'"):
        ImageFolderSource(tmp_path, pattern="*.jpg", timestamps=FolderTimestamps.MTIME).open()


class _FakeTime:
    """A monotonic clock that only moves when slept on, and a wall clock 1.7e9 s ahead of it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_looping_folder_plays_round_and_round_as_a_live_snapshot_camera(tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"{index:04d}.jpg").write_bytes(jpeg(40 * index))
        # Recorded times far in the past: a looping folder does not read them.
        (tmp_path / f"{index:04d}.json").write_text(json.dumps({"captured_at": 1_000.0 + index}))
    clock = _FakeTime()
    loop = FolderLoop(interval_s=2.0, wall=clock.wall, monotonic=clock.monotonic, sleep=clock.sleep)
    source = ImageFolderSource(tmp_path, pattern="*.jpg", timestamps=FolderTimestamps.SIDECAR, loop=loop)
    source.open()
    captures = source.captures()
    taken = [next(captures) for _ in range(7)]  # more than the folder holds: it never runs out
    assert [c.captured_at for c in taken] == [1_700_000_100.0 + 2.0 * i for i in range(7)]
    assert [c.stream_ts for c in taken] == [100.0 + 2.0 * i for i in range(7)]
    assert clock.slept == [2.0] * 6
    values = [int(c.image(960)[0, 0, 0]) for c in taken]
    assert values[:3] == values[3:6] and values[6] == values[0] and len(set(values[:3])) == 3


def test_a_looping_folder_that_falls_behind_skips_rather_than_bursts(tmp_path: Path) -> None:
    (tmp_path / "0001.jpg").write_bytes(jpeg(10))
    clock = _FakeTime()
    loop = FolderLoop(interval_s=1.0, wall=clock.wall, monotonic=clock.monotonic, sleep=clock.sleep)
    source = ImageFolderSource(tmp_path, pattern="*.jpg", timestamps=FolderTimestamps.MTIME, loop=loop)
    source.open()
    captures = source.captures()
    first = next(captures)
    clock.now += 5.5  # the consumer was busy for five and a half intervals
    second, third = next(captures), next(captures)
    assert second.stream_ts - first.stream_ts == pytest.approx(5.5)
    assert third.stream_ts - second.stream_ts == pytest.approx(1.0)


def test_loop_footage_makes_folders_and_files_loop(tmp_path: Path) -> None:
    folder_camera = make_camera(source={"kind": "image_folder", "path": str(tmp_path)}, sample_fps=0.5)
    file_camera = make_camera(source={"kind": "file", "path": str(tmp_path / "clip.mp4"), "loop": False})
    looping, once = IngestSettings(loop_footage=True), IngestSettings()
    assert build_source(folder_camera, looping, Clocks())._loop == FolderLoop(  # type: ignore[attr-defined]
        interval_s=2.0, wall=ANY, monotonic=ANY, sleep=ANY
    )
    assert build_source(folder_camera, once, Clocks())._loop is None  # type: ignore[attr-defined]
    assert build_source(file_camera, looping, Clocks())._loop is True  # type: ignore[attr-defined]
    assert build_source(file_camera, once, Clocks())._loop is False  # type: ignore[attr-defined]
