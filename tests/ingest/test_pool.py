from __future__ import annotations

import threading

import pytest

from gridwatch.config import Camera
from gridwatch.messages import CameraState
from ingest.clocks import Clocks
from ingest.counters import Outcome
from ingest.pool import CameraPool
from ingest.settings import IngestSettings
from ingest.sources.base import FrameSource
from tests.ingest.helpers import Outlets, ScriptedSource, capture_of, make_camera, solid, wait_for


def test_one_stuck_camera_does_not_hold_up_the_others() -> None:
    release = threading.Event()
    cameras = [make_camera(f"cam-{i}", motion_gate={"enabled": False}) for i in range(3)]

    def build(camera: Camera, settings: IngestSettings, clocks: Clocks) -> FrameSource:
        if camera.id == "cam-0":
            return ScriptedSource([], block=release)  # connected, never delivers
        return ScriptedSource([capture_of(solid(value=10 * t), float(t)) for t in range(5)], block=release)

    outlets = Outlets()
    pool = CameraPool(cameras, IngestSettings(), outlets, build=build)
    pool.start()
    try:
        wait_for(
            lambda: all(len(outlets.by_camera[c].frames) == 5 for c in ("cam-1", "cam-2")),
            5.0,
            "the healthy cameras' frames",
        )
        summary = pool.summary()
        assert summary.totals[Outcome.PUBLISHED] == 0  # counted on broker acknowledgement only
        assert summary.states[CameraState.ONLINE] == 2
        assert summary.states[CameraState.OFFLINE] == 1
        assert "3 cameras: online=2 degraded=0 offline=1" in summary.line()
    finally:
        release.set()
        pool.stop(timeout_s=5)
    assert outlets.by_camera["cam-0"].frames == []


def test_disabled_cameras_are_not_run_and_ids_must_be_unique() -> None:
    pool = CameraPool([make_camera("a"), make_camera("b", enabled=False)], IngestSettings(), Outlets())
    assert [w.camera.id for w in pool.workers] == ["a"]
    with pytest.raises(ValueError, match="repeated: a"):
        CameraPool([make_camera("a"), make_camera("a")], IngestSettings(), Outlets())
