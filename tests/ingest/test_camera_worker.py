from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np

from gridwatch.config import DecodeMode
from gridwatch.messages import CameraState, FrameReason, SourceKind
from ingest.camera_worker import CameraWorker
from ingest.clocks import Clocks
from ingest.counters import Outcome
from ingest.settings import BackoffSettings, IngestSettings, LongGopPolicy
from ingest.sources.base import Capture, bad_capture
from ingest.sources.errors import BadFrameError, SourceAuthError, SourceExhaustedError, SourceUnavailableError
from ingest.sources.video_file import VideoFileSource
from tests.ingest.helpers import CollectingOutlet, ScriptedSource, capture_of, make_camera, solid

FAST_BACKOFF = BackoffSettings(initial_s=0.01, max_s=0.02, jitter=0.0)


def file_worker(
    path: Path,
    *,
    sample_fps: float,
    mode: DecodeMode = DecodeMode.FULL,
    keepalive_s: float = 60.0,
    gate: bool = True,
    settings: IngestSettings | None = None,
) -> tuple[CameraWorker, CollectingOutlet]:
    camera = make_camera(
        sample_fps=sample_fps,
        source={"kind": "file", "path": str(path), "realtime": False},
        motion_gate={"enabled": gate, "keepalive_s": keepalive_s},
    )
    settings = settings or IngestSettings(file_decode=mode)
    clocks = Clocks(wall=lambda: 1_700_000_000.0, rng=random.Random(0))
    outlet = CollectingOutlet()

    def build() -> VideoFileSource:
        return VideoFileSource(
            path,
            realtime=False,
            loop=False,
            mode=settings.file_decode,
            wall=clocks.wall,
            monotonic=clocks.monotonic,
            sleep=clocks.sleep,
        )

    return CameraWorker(camera, settings, outlet, clocks, build), outlet


def test_static_clip_publishes_only_keepalives(static_clip: Path) -> None:
    worker, outlet = file_worker(static_clip, sample_fps=1.0, keepalive_s=5.0)
    worker.run()
    reasons = [f.reason for f in outlet.frames]
    assert reasons == [FrameReason.FIRST] + [FrameReason.KEEPALIVE] * 4
    times = [f.captured_at - outlet.frames[0].captured_at for f in outlet.frames]
    assert times == [0.0, 5.0, 10.0, 15.0, 20.0]  # keepalive in capture seconds (file PTS), not frame counts
    counters = worker.counters
    assert counters[Outcome.SAMPLED] == 21
    assert counters[Outcome.SKIPPED_BY_GATE] == 16
    assert [f.seq for f in outlet.frames] == [0, 1, 2, 3, 4]


def test_moving_clip_publishes_on_change(moving_clip: Path) -> None:
    worker, outlet = file_worker(moving_clip, sample_fps=2.0, keepalive_s=60.0)
    worker.run()
    reasons = [f.reason for f in outlet.frames]
    assert reasons[0] is FrameReason.FIRST
    assert reasons.count(FrameReason.MOTION) >= 9
    assert FrameReason.KEEPALIVE not in reasons
    frame = outlet.frames[1]
    assert (frame.width, frame.height, frame.source_kind) == (320, 240, SourceKind.FILE)
    assert frame.captured_at - outlet.frames[0].captured_at == 0.5


def test_frames_are_resized_to_the_longest_side(moving_clip: Path) -> None:
    worker, outlet = file_worker(moving_clip, sample_fps=1.0, settings=IngestSettings(max_side=160))
    worker.run()
    assert {(f.width, f.height) for f in outlet.frames} == {(160, 120)}


def test_long_gop_in_keyframe_mode_degrades_with_the_effective_rate(long_gop_clip: Path) -> None:
    worker, outlet = file_worker(long_gop_clip, sample_fps=1.0, mode=DecodeMode.KEYFRAMES, gate=False)
    worker.run()
    times = [f.captured_at - outlet.frames[0].captured_at for f in outlet.frames]
    assert times == [0.0, 2.0, 4.0, 6.0]
    degraded = [s for s in outlet.statuses if s.status is CameraState.DEGRADED]
    assert degraded, outlet.states()
    assert "GOP 2.0 s is longer than the 1.0 s sampling interval" in degraded[0].reason
    assert "0.50 fps" in degraded[0].reason


def test_long_gop_policy_full_decode_switches_and_keeps_the_rate(long_gop_clip: Path) -> None:
    settings = IngestSettings(file_decode=DecodeMode.KEYFRAMES, long_gop_policy=LongGopPolicy.FULL_DECODE)
    worker, outlet = file_worker(long_gop_clip, sample_fps=1.0, gate=False, settings=settings)
    worker.run()
    assert len(outlet.frames) >= 6  # 1 fps after the switch (at the second key frame)
    assert CameraState.DEGRADED not in {s.status for s in outlet.statuses}


def test_end_of_file_is_finished_not_offline_with_reason_and_the_worker_ends(moving_clip: Path) -> None:
    worker, outlet = file_worker(moving_clip, sample_fps=1.0)
    worker.run()
    assert worker.finished.is_set()
    assert outlet.statuses[-1].status is CameraState.FINISHED
    assert "end of video file" in outlet.statuses[-1].reason


def scripted_worker(
    source: ScriptedSource, *, gate: bool = False, settings: IngestSettings | None = None
) -> tuple[CameraWorker, CollectingOutlet]:
    camera = make_camera(motion_gate={"enabled": gate})
    outlet = CollectingOutlet()
    worker = CameraWorker(
        camera,
        settings or IngestSettings(backoff=FAST_BACKOFF),
        outlet,
        Clocks(rng=random.Random(0)),
        lambda: source,
    )
    return worker, outlet


def test_bad_frames_are_counted_and_skipped_and_the_camera_keeps_going() -> None:
    def corrupt(_side: int) -> np.ndarray:
        raise BadFrameError("corrupt JPEG")

    captures = [
        capture_of(solid(), 0.0),
        Capture(stream_ts=1.0, captured_at=1.0, load=corrupt),
        capture_of(np.zeros((0, 0, 3), np.uint8), 2.0),
        capture_of(solid(640, 640), 3.0),
        bad_capture(3.5, 3.5, "corrupt packet"),
        capture_of(solid(value=200), 4.0),
    ]
    worker, outlet = scripted_worker(ScriptedSource(captures, then=SourceExhaustedError("done")))
    worker.run()
    assert worker.counters[Outcome.BAD_FRAMES] == 4
    assert worker.counters[Outcome.SAMPLED] == 5  # a frame the source could not decode takes no sample
    assert [f.captured_at for f in outlet.frames] == [0.0, 4.0]


def test_mostly_bad_frames_degrade_the_camera_with_the_latest_reason() -> None:
    def corrupt(_side: int) -> np.ndarray:
        raise BadFrameError("truncated JPEG")

    captures = [capture_of(solid(), 0.0)] + [
        Capture(stream_ts=float(t), captured_at=float(t), load=corrupt) for t in range(1, 6)
    ]
    settings = IngestSettings(backoff=FAST_BACKOFF, bad_frame_window=5)
    worker, outlet = scripted_worker(
        ScriptedSource(captures, then=SourceExhaustedError("done")), settings=settings
    )
    worker.run()
    degraded = [s for s in outlet.statuses if s.status is CameraState.DEGRADED]
    assert degraded and "were bad (latest: truncated JPEG)" in degraded[-1].reason


def test_failures_reconnect_with_backoff_then_go_online() -> None:
    source = ScriptedSource(
        [capture_of(solid(), 0.0)],
        then=SourceExhaustedError("done"),
        open_errors=[SourceUnavailableError("connection refused"), SourceAuthError("401 Unauthorized")],
    )
    worker, outlet = scripted_worker(source)
    worker.run()
    assert source.opens == 3
    assert outlet.states()[:4] == [
        (CameraState.OFFLINE, "connection refused"),
        (CameraState.OFFLINE, "401 Unauthorized"),
        (CameraState.ONLINE, ""),
        (CameraState.FINISHED, "done"),  # the scripted source ran out: finished, no retry
    ]
    assert len(outlet.frames) == 1
    assert source.closes == 3


def test_unexpected_errors_do_not_end_the_camera() -> None:
    calls = {"n": 0}

    def explode(_side: int) -> np.ndarray:
        calls["n"] += 1
        raise RuntimeError("library bug")

    source = ScriptedSource(
        [Capture(stream_ts=0.0, captured_at=0.0, load=explode)],
        then=None,
        open_errors=[],
    )
    camera = make_camera(motion_gate={"enabled": False})
    outlet = CollectingOutlet()
    clocks = Clocks(rng=random.Random(0))
    worker = CameraWorker(camera, IngestSettings(backoff=FAST_BACKOFF), outlet, clocks, lambda: source)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        from tests.ingest.helpers import wait_for

        wait_for(lambda: calls["n"] >= 3, 5.0, "the worker to retry after an internal error")
    finally:
        clocks.stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert any("internal error: RuntimeError: library bug" in reason for _state, reason in outlet.states())


def test_stall_is_reported_as_degraded() -> None:
    now = {"t": 0.0}
    block = threading.Event()
    source = ScriptedSource([capture_of(solid(), 0.0)], block=block)
    camera = make_camera(motion_gate={"enabled": False})
    outlet = CollectingOutlet()
    clocks = Clocks(monotonic=lambda: now["t"], rng=random.Random(0))
    worker = CameraWorker(camera, IngestSettings(stall_after_s=5.0), outlet, clocks, lambda: source)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        from tests.ingest.helpers import wait_for

        wait_for(lambda: len(outlet.frames) == 1, 5.0, "the first frame")
        now["t"] = 4.0
        worker.check_stall()
        assert outlet.states()[-1][0] is CameraState.ONLINE
        now["t"] = 6.0
        worker.check_stall()
        assert outlet.states()[-1] == (CameraState.DEGRADED, "no frame for more than 5 s")
    finally:
        clocks.stop.set()
        block.set()
        thread.join(5)
