"""Recorded video files: paced in real time (a stand-in for a live camera) or as fast as possible (replay)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from gridwatch.config import DecodeMode
from gridwatch.messages import SourceKind
from ingest.live_clock import LiveClock, WallClock
from ingest.sources.av_stream import AvDecoder
from ingest.sources.base import Capture
from ingest.sources.errors import SourceConfigError, SourceExhaustedError, SourceUnavailableError

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]


class VideoFileSource:
    """A video file read through PyAV.

    Stream time is the file's PTS (continued across loops). With ``realtime`` frames are paced at their PTS
    and capture times are anchored to the wall clock, as for a live camera; without it frames come as fast as
    they decode and capture times are the file's ``creation_time`` (or the moment it was opened) plus PTS, so
    a replay keeps the recorded spacing. A container without frame times (AVI) is timed by frame index and
    frame rate. A frame whose time is not after the previous frame's never leaves the source: it is dropped,
    and the file is named in a warning (``out_of_order_frames`` counts them).
    """

    def __init__(
        self,
        path: Path,
        *,
        realtime: bool,
        loop: bool,
        mode: DecodeMode,
        wall: WallClock,
        monotonic: Callable[[], float],
        sleep: Sleep,
        threads: int = 1,
        max_drift_s: float = 5.0,
    ) -> None:
        self._path = path
        self._realtime = realtime
        self._loop = loop
        self._mode = mode
        self._wall = wall
        self._monotonic = monotonic
        self._sleep = sleep
        self._threads = threads
        self._live_clock = LiveClock(wall, max_drift_s=max_drift_s)
        self._decoder: AvDecoder | None = None
        self._offset = 0.0
        self._base_epoch = 0.0
        self._pace_origin: tuple[float, float] | None = None
        #: Frames decoded since this source was made (all opens and loops).
        self.decoded_frames = 0
        #: Frames dropped because their time was not after the previous frame's (all opens and loops).
        self.out_of_order_frames = 0

    @property
    def kind(self) -> SourceKind:
        """A file."""
        return SourceKind.FILE

    @property
    def description(self) -> str:
        """The file path."""
        return str(self._path)

    def open(self) -> None:
        """Open the file; raises SourceConfigError when it is missing or not a video."""
        self.close()
        if not self._path.is_file():
            raise SourceConfigError(f"video file {self._path} does not exist")
        self._decoder = self._open_decoder()
        self._base_epoch = self._decoder.start_epoch or self._wall()
        self._offset = 0.0
        self._pace_origin = None
        self._live_clock.reset()

    def _open_decoder(self) -> AvDecoder:
        return AvDecoder(
            str(self._path),
            what=f"video file {self._path}",
            live=False,
            mode=self._mode,
            threads=self._threads,
        )

    def captures(self) -> Iterator[Capture]:
        """Frames of the file (again and again with ``loop``); raises SourceExhaustedError at the end."""
        if self._decoder is None:
            raise SourceUnavailableError(f"video file {self._path} is not open")
        while True:
            decoder = self._decoder
            last_ts = self._offset
            previous: float | None = None
            delivered = 0
            for decoded in decoder.frames():
                ts = self._offset + decoded.stream_ts
                if previous is not None and ts <= previous:
                    self._out_of_order(ts, previous)
                    continue
                previous = ts
                last_ts = max(last_ts, ts)
                delivered += 1
                if decoded.error is None:
                    self.decoded_frames += 1
                if self._realtime:
                    self._pace(ts)
                    captured_at = self._live_clock.epoch(ts)
                else:
                    captured_at = self._base_epoch + ts
                yield Capture(
                    stream_ts=ts,
                    captured_at=captured_at,
                    load=decoded.to_image,
                    keyframe=decoded.keyframe,
                    error=decoded.error,
                )
            if not self._loop:
                raise SourceExhaustedError(f"end of video file {self._path}")
            if delivered == 0:
                raise SourceConfigError(f"video file {self._path} has no decodable frame to loop over")
            fps = decoder.nominal_fps or 25.0
            self._offset = last_ts + 1.0 / fps
            decoder.close()
            self._decoder = self._open_decoder()

    def _out_of_order(self, ts: float, previous: float) -> None:
        self.out_of_order_frames += 1
        if self.out_of_order_frames == 1:
            log.warning(
                "video file %s: a frame at %.3f s is not after the previous one (%.3f s): frames with "
                "out-of-order or repeated times are dropped",
                self._path,
                ts,
                previous,
            )

    def _pace(self, ts: float) -> None:
        now = self._monotonic()
        if self._pace_origin is None:
            self._pace_origin = (now, ts)
            return
        origin_mono, origin_ts = self._pace_origin
        wait = origin_mono + (ts - origin_ts) - now
        if wait > 0:
            self._sleep(wait)

    @property
    def keyframe_interval_s(self) -> float | None:
        """Stream seconds between the last two key frames."""
        return self._decoder.keyframe_interval_s if self._decoder else None

    @property
    def keyframes_only(self) -> bool:
        """Whether only key frames are decoded."""
        return self._mode is DecodeMode.KEYFRAMES

    def decode_all_frames(self) -> None:
        """Decode every frame from now on."""
        self._mode = DecodeMode.FULL
        if self._decoder is not None:
            self._decoder.decode_all_frames()

    def close(self) -> None:
        """Close the file."""
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
