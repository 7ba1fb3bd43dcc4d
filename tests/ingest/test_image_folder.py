from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import pytest

from gridwatch.config import FolderTimestamps
from gridwatch.messages import SourceKind
from ingest.camera_worker import CameraWorker
from ingest.clocks import Clocks
from ingest.counters import Outcome
from ingest.settings import IngestSettings
from ingest.sources.errors import SourceConfigError
from ingest.sources.image_folder import ImageFolderSource
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
