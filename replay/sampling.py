"""Sampled frames of one footage item: decoded as fast as possible, kept on the camera's sampling grid."""

from __future__ import annotations

from collections.abc import Iterator
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


def open_source(item: FootageItem, clocks: Clocks | None = None) -> FrameSource:
    """The ingest source that reads ``item`` once, as fast as it decodes (never paced, never looped)."""
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
        loop=False,
        mode=DecodeMode.FULL,
        wall=file_time,
        monotonic=used.monotonic,
        sleep=used.sleep,
    )


def sampled_frames(item: FootageItem, interval_s: float, max_side: int) -> Iterator[SampledFrame]:
    """Every frame the camera's sampler keeps, at most ``max_side`` on its longest side.

    Offsets are seconds from the first decoded frame (the footage's start); frames that do not decode are
    skipped. ReplayError when the footage cannot be opened.
    """
    source = open_source(item)
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
    if item.kind is FootageKind.IMAGE_FOLDER:
        return sum(1 for _ in item.path.glob(item.pattern))
    import math

    import av

    try:
        with av.open(str(item.path)) as container:
            duration = container.duration
    except (av.error.FFmpegError, OSError):
        return None
    if not duration:
        return None
    return max(1, math.ceil(duration / 1_000_000 / interval_s))
