"""Sampled frames of one footage item: decoded as fast as possible, kept on the camera's sampling grid."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gridwatch.config import DecodeMode, FolderTimestamps
from ingest.clocks import Clocks
from ingest.sampler import Sampler
from ingest.sources.base import FrameSource, Image
from ingest.sources.errors import BadFrameError, SourceError, SourceExhaustedError
from ingest.sources.image_folder import ImageFolderSource, sidecar_path
from ingest.sources.video_file import VideoFileSource
from replay.errors import ReplayError
from replay.footage import FootageItem, FootageKind


@dataclass(frozen=True, slots=True)
class SampledFrame:
    """One kept frame: seconds from the first frame, its capture time (epoch s) and the image."""

    offset_s: float
    captured_at: float
    image: Image


def open_source(item: FootageItem, clocks: Clocks | None = None, *, loop: bool = False) -> FrameSource:
    """The ingest source that reads ``item`` as fast as it decodes (never paced); a video file is read again
    and again with ``loop`` (its stream time continuing across loops), an image folder once."""
    if item.kind is FootageKind.IMAGE_FOLDER:
        first = next(iter(sorted(item.path.glob(item.pattern))), None)
        stamps = (
            FolderTimestamps.SIDECAR
            if first is not None and sidecar_path(first).is_file()
            else FolderTimestamps.MTIME
        )
        return ImageFolderSource(item.path, pattern=item.pattern, timestamps=stamps)
    used = clocks or Clocks()
    path: Path = item.path

    def file_time() -> float:  # no creation_time in the container: the file's modification time
        return path.stat().st_mtime

    return VideoFileSource(
        path,
        realtime=False,
        loop=loop,
        mode=DecodeMode.FULL,
        wall=file_time,
        monotonic=used.monotonic,
        sleep=used.sleep,
    )


def sampled_frames(item: FootageItem, interval_s: float, max_side: int) -> Iterator[SampledFrame]:
    """Every frame the camera's sampler keeps, at most ``max_side`` on its longest side.

    Offsets are seconds from the first decoded frame (the footage's start); frames that do not decode are
    skipped. With ``item.loop_for_s`` the footage is replayed again and again (times keep increasing: a
    loop starts one frame interval after the previous loop's last frame) until that many seconds have been
    sampled. ReplayError when the footage cannot be opened.
    """
    limit = item.loop_for_s
    if limit is None:
        yield from _one_pass(item, interval_s, max_side, loop=False)
        return
    if item.kind is FootageKind.VIDEO:  # the source loops the file itself, its stream time continuing
        for frame in _one_pass(item, interval_s, max_side, loop=True):
            if frame.offset_s >= limit:
                return
            yield frame
        return
    yield from _looped_folder(item, interval_s, max_side, limit)


#: Two frame offsets closer than this are the same sampled frame.
SAME_FRAME_S = 1e-3


def frames_at(
    item: FootageItem, interval_s: float, max_side: int, offsets: Iterable[float]
) -> Iterator[tuple[float, SampledFrame]]:
    """The sampled frames at ``offsets`` (seconds from the footage start, as a replay timed them), each with
    the offset asked for, in time order; ReplayError when one of them is not a sampled frame (the footage
    changed since the replay)."""
    times = sorted(set(offsets))
    if not times:
        return
    for frame in sampled_frames(item, interval_s, max_side):
        if abs(frame.offset_s - times[0]) <= SAME_FRAME_S:
            yield times.pop(0), frame
            if not times:
                return
        elif frame.offset_s > times[0]:
            break
    raise ReplayError(
        f"{item.path}: no sampled frame {times[0]:.3f} s in, where an incident was seen: was the footage "
        "changed since the replay?"
    )


def _looped_folder(
    item: FootageItem, interval_s: float, max_side: int, limit: float
) -> Iterator[SampledFrame]:
    """An image folder read again and again; each pass starts one frame gap after the previous pass's last
    frame (the gap between its last two frames, or the sampling interval)."""
    shift = 0.0
    while True:
        offsets: list[float] = []
        for frame in _one_pass(item, interval_s, max_side, loop=False):
            if frame.offset_s + shift >= limit:
                return
            offsets.append(frame.offset_s)
            yield SampledFrame(frame.offset_s + shift, frame.captured_at + shift, frame.image)
        if not offsets:
            return
        gap = offsets[-1] - offsets[-2] if len(offsets) > 1 else interval_s
        shift += offsets[-1] + max(gap, interval_s)


def _one_pass(item: FootageItem, interval_s: float, max_side: int, *, loop: bool) -> Iterator[SampledFrame]:
    source = open_source(item, loop=loop)
    try:
        source.open()
    except SourceError as error:
        raise ReplayError(f"footage {item.path}: {error.reason}") from None
    sampler = Sampler(interval_s)
    first_ts: float | None = None
    try:
        for capture in source.captures():
            if first_ts is None:
                first_ts = capture.stream_ts
            if capture.error is not None or not sampler.due(capture.stream_ts):
                continue
            try:
                image = capture.image(max_side)
            except BadFrameError:
                continue
            yield SampledFrame(capture.stream_ts - first_ts, capture.captured_at, image)
    except SourceExhaustedError:
        return
    except SourceError as error:
        raise ReplayError(f"footage {item.path}: {error.reason}") from None
    finally:
        source.close()


def expected_samples(item: FootageItem, interval_s: float) -> int | None:
    """About how many frames :func:`sampled_frames` will keep (for a progress bar), or None if unknown."""
    import math

    if item.loop_for_s is not None:
        return max(1, math.ceil(item.loop_for_s / interval_s))
    if item.kind is FootageKind.IMAGE_FOLDER:
        return sum(1 for _ in item.path.glob(item.pattern))
    import av

    try:
        with av.open(str(item.path)) as container:
            duration = container.duration
    except (av.error.FFmpegError, OSError):
        return None
    if not duration:
        return None
    return max(1, math.ceil(duration / 1_000_000 / interval_s))
