from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from gridwatch.config import DecodeMode
from gridwatch.messages import CameraState
from ingest.camera_worker import CameraWorker
from ingest.clips import ClipSpec, write_clip
from ingest.clocks import Clocks
from ingest.counters import Outcome
from ingest.settings import IngestSettings
from ingest.sources.av_stream import DecodedFrame
from ingest.sources.base import Capture
from ingest.sources.errors import SourceConfigError, SourceExhaustedError
from ingest.sources.video_file import VideoFileSource
from tests.ingest.helpers import CollectingOutlet, make_camera


class FakeTime:
    """Monotonic clock that advances only when slept."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def source(
    path: Path,
    *,
    realtime: bool = False,
    loop: bool = False,
    mode: DecodeMode = DecodeMode.FULL,
    fake: FakeTime | None = None,
) -> VideoFileSource:
    fake = fake or FakeTime()
    return VideoFileSource(
        path,
        realtime=realtime,
        loop=loop,
        mode=mode,
        wall=lambda: 1_000.0 + fake.now,
        monotonic=fake.monotonic,
        sleep=fake.sleep,
    )


def drain(src: VideoFileSource) -> list[Capture]:
    """Every capture until the source is exhausted (which it must be)."""
    src.open()
    captures: list[Capture] = []
    with pytest.raises(SourceExhaustedError, match="end of video file"):
        captures.extend(src.captures())
    return captures


def test_replay_gives_every_frame_with_file_times(moving_clip: Path) -> None:
    captures = drain(source(moving_clip))
    assert len(captures) == 60
    assert captures[10].stream_ts == pytest.approx(1.0)
    assert captures[10].captured_at - captures[0].captured_at == pytest.approx(1.0)
    assert captures[10].image(960).shape == (240, 320, 3)
    assert captures[10].image(160).shape == (120, 160, 3)  # scaled while converting


def test_keyframe_mode_decodes_only_key_frames(long_gop_clip: Path) -> None:
    src = source(long_gop_clip, mode=DecodeMode.KEYFRAMES)
    captures = drain(src)
    assert [c.stream_ts for c in captures] == pytest.approx([0.0, 2.0, 4.0, 6.0])
    assert src.keyframe_interval_s == pytest.approx(2.0)
    assert src.decoded_frames == 4


def test_realtime_paces_at_pts(moving_clip: Path) -> None:
    fake = FakeTime()
    captures = drain(source(moving_clip, realtime=True, fake=fake))
    assert fake.slept == pytest.approx(5.9, abs=0.01)
    assert captures[-1].captured_at - captures[0].captured_at == pytest.approx(5.9, abs=0.01)


def test_loop_keeps_stream_time_increasing(moving_clip: Path) -> None:
    src = source(moving_clip, loop=True)
    src.open()
    times = []
    for capture in src.captures():
        times.append(capture.stream_ts)
        if len(times) == 130:
            break
    src.close()
    assert all(b > a for a, b in itertools.pairwise(times))
    assert times[-1] == pytest.approx(12.9)


def test_missing_and_unreadable_files_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="does not exist"):
        source(tmp_path / "nope.mp4").open()
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(random.Random(1).randbytes(50_000))
    with pytest.raises(SourceConfigError, match="is not a readable video"):
        source(junk).open()


def run_file_camera(path: Path) -> tuple[CameraWorker, CollectingOutlet]:
    camera = make_camera(
        source={"kind": "file", "path": str(path), "realtime": False}, motion_gate={"enabled": False}
    )
    clocks = Clocks()
    outlet = CollectingOutlet()
    settings = IngestSettings()
    worker = CameraWorker(camera, settings, outlet, clocks, lambda: source(path))
    worker.run()
    return worker, outlet


def test_a_corrupt_file_leaves_the_camera_offline_without_crashing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + random.Random(2).randbytes(20_000))
    _worker, outlet = run_file_camera(junk)
    assert outlet.statuses[-1].status is CameraState.OFFLINE
    assert "is not a readable video" in outlet.statuses[-1].reason


@pytest.fixture(scope="module")
def ts_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ts") / "clip.ts"
    return write_clip(path, ClipSpec(width=320, height=240, fps=10, seconds=4, gop_s=1.0))


def test_a_truncated_stream_delivers_what_it_has_and_ends(ts_clip: Path, tmp_path: Path) -> None:
    data = ts_clip.read_bytes()
    cut = tmp_path / "cut.ts"
    cut.write_bytes(data[: len(data) // 2 + 333])  # ends mid-packet
    _worker, outlet = run_file_camera(cut)
    assert 1 <= len(outlet.frames) <= 3
    assert "end of video file" in outlet.statuses[-1].reason


def test_garbage_in_the_middle_is_bad_frames_not_a_crash(ts_clip: Path, tmp_path: Path) -> None:
    data = bytearray(ts_clip.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20_000] = random.Random(3).randbytes(20_000)
    broken = tmp_path / "broken.ts"
    broken.write_bytes(bytes(data))
    worker, outlet = run_file_camera(broken)
    assert len(outlet.frames) >= 2  # frames before and after the damage
    assert outlet.frames[-1].captured_at - outlet.frames[0].captured_at >= 2.0
    assert worker.counters[Outcome.SAMPLED] >= len(outlet.frames)


def write_avi_with_b_frames(path: Path, frames: int = 40, fps: int = 10) -> Path:
    """An AVI whose H.264 has B-frames: FFmpeg's per-frame "pts" for it are in decode order."""
    import av

    base = ClipSpec(width=160, height=120, fps=fps, seconds=frames / fps)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.codec_context.options = {"x264-params": "keyint=10:bframes=2:b-adapt=0:scenecut=0"}
        rng = random.Random(5)
        for index in range(frames):
            image = np.full((120, 160, 3), rng.randrange(256), np.uint8)
            image[:, index * 3 % 160 :] = 40  # a moving edge: B-frames pay off
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    assert base.frames == frames
    return path


def test_an_avi_without_frame_times_is_timed_by_index_and_frame_rate(tmp_path: Path) -> None:
    clip = write_avi_with_b_frames(tmp_path / "b-frames.avi")
    src = source(clip)
    captures = drain(src)
    times = [c.stream_ts for c in captures]
    assert len(captures) == 40
    assert times == pytest.approx([index / 10 for index in range(40)])
    assert src.out_of_order_frames == 0


class _ScrambledDecoder:
    """A decoder whose frame times go back and repeat, as a broken container's do."""

    nominal_fps = 10.0
    start_epoch = None
    keyframe_interval_s = None

    def __init__(self, times: list[float]) -> None:
        self._times = times

    def frames(self) -> Iterator[DecodedFrame]:
        for ts in self._times:
            yield DecodedFrame(ts, True, None, None)

    def close(self) -> None:
        pass


def test_out_of_order_and_repeated_times_never_leave_the_source(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "scrambled.mp4"
    path.write_bytes(b"not read: the decoder is replaced")
    src = source(path)
    times = [0.0, 0.2, 0.1, 0.3, 0.3, 0.4, 0.35, 0.5]
    src._open_decoder = lambda: _ScrambledDecoder(times)  # type: ignore[method-assign, assignment, return-value]
    with caplog.at_level(logging.WARNING):
        delivered = [c.stream_ts for c in drain(src)]
    assert delivered == [0.0, 0.2, 0.3, 0.4, 0.5]
    assert src.out_of_order_frames == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0] and "out-of-order" in warnings[0]
