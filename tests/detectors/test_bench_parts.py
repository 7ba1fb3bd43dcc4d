"""Parts of `gridwatch bench detect` that can be checked without timing anything."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np

from detectors.bench.bench_frames import PUBLISHED_MAX_SIDE, find_footage, load_bench_frames
from detectors.bench.plot import draw_bar_chart
from detectors.bench.report import interleaved_fps
from gridwatch.messages import Frame


def test_without_footage_frames_are_generated_at_the_published_size(tmp_path: Path) -> None:
    assert find_footage(tmp_path) == []
    frames = load_bench_frames(5, videos=[])
    assert frames.source == "generated" and len(frames.frames) == 5
    first = frames.frames[0]
    assert max(first.width, first.height) == PUBLISHED_MAX_SIDE
    assert len({f.camera_id for f in frames.frames}) == 5


def test_a_video_too_short_falls_back_to_generated_frames(tmp_path: Path) -> None:
    video = tmp_path / "short.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 5, (64, 48))
    for _ in range(3):
        writer.write(np.zeros((48, 64, 3), np.uint8))
    writer.release()
    assert load_bench_frames(2, video).source == "footage:short.avi"
    assert load_bench_frames(10, video).source == "generated"


def test_every_path_runs_every_frame_in_each_round() -> None:
    frames = load_bench_frames(6, videos=[]).frames
    seen: dict[str, list[int]] = {"a": [], "b": []}

    def path(name: str) -> Callable[[Sequence[Frame]], None]:
        def run(chunk: Sequence[Frame]) -> None:
            seen[name].extend(frame.seq * 8 + int(frame.camera_id.split("-")[1]) for frame in chunk)

        return run

    fps = interleaved_fps({"a": path("a"), "b": path("b")}, frames, chunk=4, rounds=2)
    assert set(fps) == {"a", "b"} and all(value > 0 for value in fps.values())
    assert seen["a"] == seen["b"] and len(seen["a"]) == 4 + 2 * 6  # warm-up chunk, then two rounds


def test_the_chart_is_a_png(tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    draw_bar_chart([("naive", 20.0), ("worker_b8", 31.5), ("raw_infer", 33.0)], out, title="fps")
    image = cv2.imread(str(out))
    assert image is not None and image.shape[1] == 960
