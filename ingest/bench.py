"""`gridwatch bench ingest`: what a sampled frame costs with key-frame-only decoding versus full decoding.

Both modes read the same stream in the same run through the real camera worker (decode, sample, convert,
resize, JPEG; motion gate off so every sample is encoded; no broker). Reported: CPU seconds per sampled frame
and per stream second in each mode, their ratio, the frames per second one core can sample, and the memory
each camera adds (resident set size of several cameras reading the clip in real time, over the baseline).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

from gridwatch.config import Camera, DecodeMode, MotionGate
from gridwatch.messages import CameraStatus, Frame
from ingest.camera_worker import CameraWorker
from ingest.clips import ClipSpec, write_clip
from ingest.clocks import Clocks
from ingest.counters import Counters, Outcome
from ingest.settings import IngestSettings
from ingest.sources.base import FrameSource
from ingest.sources.rtsp import LiveStreamSource, StreamOptions
from ingest.sources.video_file import VideoFileSource

#: Keyframe-only decoding should cost at most this share of full decoding per sampled frame.
TARGET_RATIO = 0.25

Say = Callable[[str], None]


def _say_stderr(message: str) -> None:
    print(f"[bench ingest] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """What to measure."""

    source: str | None = None
    sample_fps: float = 1.0
    clip: ClipSpec = field(default_factory=lambda: ClipSpec(noise=4))
    live_seconds: float = 20.0
    memory_cameras: int = 8
    memory_seconds: float = 6.0
    max_side: int = 960
    work_dir: Path | None = None


class _NullOutlet:
    """Counts frames instead of publishing them."""

    def __init__(self) -> None:
        self.frames = 0
        self.jpeg_bytes = 0

    def send_frame(self, frame: Frame) -> None:
        self.frames += 1
        self.jpeg_bytes += len(frame.jpeg)

    def send_status(self, status: CameraStatus) -> None:
        pass


def _bench_camera(camera_id: str, sample_fps: float, resolution: tuple[int, int]) -> Camera:
    return Camera.model_validate(
        {
            "id": camera_id,
            "name": "benchmark",
            "micro_grid": "bench",
            "location": {"lat": 0.0, "lon": 0.0},
            "resolution": list(resolution),
            "sample_fps": sample_fps,
            "source": {"kind": "file", "path": "bench.mp4", "realtime": False},
            "motion_gate": MotionGate(enabled=False).model_dump(),
        }
    )


def _is_url(source: str) -> bool:
    return "://" in source


def _probe(source: str) -> tuple[int, int, float | None, float | None]:
    with av.open(source, timeout=(10.0, 10.0)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        duration = float(container.duration) / av.time_base if container.duration else None
        return (
            stream.codec_context.width,
            stream.codec_context.height,
            float(rate) if rate else None,
            duration,
        )


def measure_mode(
    source: str,
    mode: DecodeMode,
    options: BenchOptions,
    resolution: tuple[int, int],
    say: Say,
    duration_s: float | None = None,
) -> dict[str, Any]:
    """Run one camera worker over ``source`` in ``mode``; CPU and wall time, samples, decoded frames."""
    settings = IngestSettings(max_side=options.max_side, file_decode=mode, decoder_threads=1)
    clocks = Clocks()
    holder: list[FrameSource] = []
    live = _is_url(source)

    def build() -> FrameSource:
        made: FrameSource
        if live:
            made = LiveStreamSource(source, wall=clocks.wall, options=StreamOptions(mode=mode, threads=1))
        else:
            made = VideoFileSource(
                Path(source),
                realtime=False,
                loop=False,
                mode=mode,
                wall=clocks.wall,
                monotonic=clocks.monotonic,
                sleep=clocks.sleep,
                threads=1,
            )
        holder.append(made)
        _time_open(made, open_cpu)
        return made

    open_cpu: list[float] = []  # CPU seconds of each open (connection set-up, not per-frame work)
    outlet = _NullOutlet()
    counters = Counters("bench")
    worker = CameraWorker(
        _bench_camera("bench", options.sample_fps, resolution), settings, outlet, clocks, build, counters
    )
    span = f"for {options.live_seconds:.0f} s" if live else "the whole clip"
    say(f"{mode.value}: decoding {span} ...")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if live:
        timer = threading.Timer(options.live_seconds, clocks.stop.set)
        timer.start()
        worker.run()
        timer.cancel()
    else:
        worker.run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    sampled = counters[Outcome.SAMPLED]
    decoded = sum(s.decoded_frames for s in holder if isinstance(s, VideoFileSource))
    stream_s = (duration_s if duration_s and not live else worker.last_stream_ts) or 0.0
    opened = sum(open_cpu)
    steady = max(0.0, cpu - opened)
    result: dict[str, Any] = {
        "mode": mode.value,
        "sampled_frames": sampled,
        "published_frames": outlet.frames,
        "bad_frames": counters[Outcome.BAD_FRAMES],
        "decoded_frames": decoded if not live else None,
        "cpu_s": round(cpu, 4),
        "wall_s": round(wall, 4),
        "stream_s": round(stream_s, 3),
        "open_cpu_s": round(opened, 4),
        "cpu_s_per_frame": steady / sampled if sampled else None,
        "cpu_s_per_frame_with_open": cpu / sampled if sampled else None,
        "cpu_s_per_stream_s": cpu / stream_s if stream_s else None,
        "frames_per_s_one_core": sampled / cpu if cpu else None,
        "effective_sample_fps": sampled / stream_s if stream_s else None,
        "mean_jpeg_bytes": outlet.jpeg_bytes // outlet.frames if outlet.frames else None,
    }
    per_frame = result["cpu_s_per_frame"]
    say(
        f"{mode.value}: {sampled} samples of {decoded or '?'} decoded frames in {cpu:.2f} CPU s "
        f"({per_frame * 1000 if per_frame else float('nan'):.1f} ms per sample)"
    )
    return result


def _time_open(source: FrameSource, spent: list[float]) -> None:
    """Record the CPU time of ``source.open()`` in ``spent``: opening a stream is a per-connection cost,
    reported apart from the per-frame cost (a short benchmark clip would otherwise spread it over few frames).
    """
    original = source.open

    def timed_open() -> None:
        start = time.process_time()
        try:
            original()
        finally:
            spent.append(time.process_time() - start)

    setattr(source, "open", timed_open)  # noqa: B010 - wraps this one instance for the measurement


def _rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def measure_memory(
    source: str, options: BenchOptions, resolution: tuple[int, int], say: Say
) -> dict[str, Any]:
    """Resident memory that ``memory_cameras`` key-frame-only cameras add, reading ``source`` in real time."""
    count = options.memory_cameras
    settings = IngestSettings(max_side=options.max_side, file_decode=DecodeMode.KEYFRAMES, decoder_threads=1)
    clocks = Clocks()
    live = _is_url(source)

    def builder() -> FrameSource:
        if live:
            return LiveStreamSource(
                source, wall=clocks.wall, options=StreamOptions(mode=DecodeMode.KEYFRAMES, threads=1)
            )
        return VideoFileSource(
            Path(source),
            realtime=True,
            loop=True,
            mode=DecodeMode.KEYFRAMES,
            wall=clocks.wall,
            monotonic=clocks.monotonic,
            sleep=clocks.sleep,
            threads=1,
        )

    baseline = _rss_bytes()
    workers = [
        CameraWorker(
            _bench_camera(f"mem-{index}", options.sample_fps, resolution),
            settings,
            _NullOutlet(),
            clocks,
            builder,
        )
        for index in range(count)
    ]
    threads = [threading.Thread(target=w.run, daemon=True) for w in workers]
    say(f"memory: {count} key-frame-only cameras in real time for {options.memory_seconds:.0f} s ...")
    for thread in threads:
        thread.start()
    peak = baseline
    deadline = time.monotonic() + options.memory_seconds
    while time.monotonic() < deadline:
        peak = max(peak, _rss_bytes())
        time.sleep(0.1)
    clocks.stop.set()
    for thread in threads:
        thread.join(15)
    sampled = sum(w.counters[Outcome.SAMPLED] for w in workers)
    per_camera = (peak - baseline) / count
    say(f"memory: {per_camera / 2**20:.1f} MiB per camera ({sampled} samples taken)")
    return {
        "cameras": count,
        "seconds": options.memory_seconds,
        "rss_baseline_mib": round(baseline / 2**20, 1),
        "rss_peak_mib": round(peak / 2**20, 1),
        "memory_per_camera_mib": round(per_camera / 2**20, 2),
        "samples_taken": sampled,
    }


def run_bench(options: BenchOptions, say: Say = _say_stderr) -> dict[str, Any]:
    """Measure everything; the returned dict is what ``--json`` writes."""
    with tempfile.TemporaryDirectory(prefix="gw-bench-ingest-", dir=options.work_dir) as scratch:
        generated = options.source is None
        if options.source is None:
            spec = options.clip
            path = Path(scratch) / "bench.mp4"
            say(
                f"generating a {spec.width}x{spec.height} {spec.fps} fps clip, key frame every "
                f"{spec.gop_s:g} s, {spec.seconds:g} s long ..."
            )
            write_clip(path, spec, progress=lambda done, total: say(f"  encoded {done}/{total} frames"))
            source = str(path)
        else:
            source = options.source
        width, height, fps, duration = _probe(source)
        say(f"source: {width}x{height}, {fps or '?'} fps, sampling at {options.sample_fps:g} fps")
        resolution = (width, height)
        keyframes = measure_mode(source, DecodeMode.KEYFRAMES, options, resolution, say, duration)
        full = measure_mode(source, DecodeMode.FULL, options, resolution, say, duration)
        memory = measure_memory(source, options, resolution, say)
    key_cost, full_cost = keyframes["cpu_s_per_frame"], full["cpu_s_per_frame"]
    ratio = key_cost / full_cost if key_cost and full_cost else None
    key_rate, full_rate = keyframes["cpu_s_per_stream_s"], full["cpu_s_per_stream_s"]
    result: dict[str, Any] = {
        "keyframe_cpu_s_per_frame": key_cost,
        "full_cpu_s_per_frame": full_cost,
        "keyframe_to_full_ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio is not None and ratio <= TARGET_RATIO,
        "keyframe_to_full_ratio_with_open": (
            keyframes["cpu_s_per_frame_with_open"] / full["cpu_s_per_frame_with_open"]
            if keyframes["cpu_s_per_frame_with_open"] and full["cpu_s_per_frame_with_open"]
            else None
        ),
        "keyframe_to_full_ratio_per_stream_s": key_rate / full_rate if key_rate and full_rate else None,
        "keyframe_frames_per_s_one_core": keyframes["frames_per_s_one_core"],
        "full_frames_per_s_one_core": full["frames_per_s_one_core"],
        "memory_per_camera_mib": memory["memory_per_camera_mib"],
        "note": (
            "keyframe-only decoding yields at most one sample per GOP: with a GOP longer than the sampling "
            "interval its effective_sample_fps is below the configured rate (see modes.keyframes); per-frame "
            "figures exclude opening the stream (modes.*.open_cpu_s), a once-per-connection cost"
        ),
        "modes": {"keyframes": keyframes, "full": full},
        "memory": memory,
        "source": {
            "generated": generated,
            "location": None if generated else source,
            "width": width,
            "height": height,
            "fps": fps,
            "duration_s": duration,
            "gop_s": options.clip.gop_s if generated else None,
            "sample_fps": options.sample_fps,
        },
        "settings": {"max_side": options.max_side, "decoder_threads": 1, "motion_gate": "off"},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "pyav": av.__version__,
            "libavcodec": ".".join(str(v) for v in av.library_versions["libavcodec"]),
        },
    }
    return result
