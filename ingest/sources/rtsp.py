"""Live streams through PyAV: RTSP cameras and any other URL FFmpeg opens."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from gridwatch.config import DecodeMode
from gridwatch.messages import SourceKind
from ingest.live_clock import LiveClock, WallClock
from ingest.sources.av_stream import AvDecoder
from ingest.sources.base import Capture
from ingest.sources.credentials import Credentials, with_userinfo
from ingest.sources.errors import SourceUnavailableError

#: Bytes FFmpeg may read to find a live stream's parameters: room for one key frame of a 4K camera.
PROBE_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class StreamOptions:
    """How to open and decode a live stream."""

    mode: DecodeMode = DecodeMode.KEYFRAMES
    transport: str = "tcp"
    threads: int = 1
    open_timeout_s: float = 10.0
    read_timeout_s: float = 10.0
    max_drift_s: float = 5.0
    probe_s: float = 1.0


class LiveStreamSource:
    """A live stream; capture times are PTS x time_base anchored to the wall clock at connect."""

    def __init__(
        self,
        url: str,
        *,
        wall: WallClock,
        options: StreamOptions,
        credentials: Credentials | None = None,
    ) -> None:
        self._url = url
        self._credentials = credentials
        self._options = options
        self._clock = LiveClock(wall, max_drift_s=options.max_drift_s)
        self._decoder: AvDecoder | None = None
        self._full_requested = options.mode is DecodeMode.FULL

    @property
    def kind(self) -> SourceKind:
        """RTSP (also used for other live URLs FFmpeg opens)."""
        return SourceKind.RTSP

    @property
    def description(self) -> str:
        """The URL without credentials."""
        return self._url

    def _ffmpeg_options(self) -> Mapping[str, str]:
        read_us = str(int(self._options.read_timeout_s * 1_000_000))
        probe = {
            "analyzeduration": str(int(self._options.probe_s * 1_000_000)),
            "probesize": str(PROBE_BYTES),
        }
        if self._url.startswith(("rtsp://", "rtsps://")):
            return {"rtsp_transport": self._options.transport, "timeout": read_us, **probe}
        return {"rw_timeout": read_us, **probe}

    def open(self) -> None:
        """Connect; raises SourceUnavailableError or SourceAuthError."""
        self.close()
        self._clock.reset()
        self._decoder = AvDecoder(
            with_userinfo(self._url, self._credentials),
            what=f"stream {self._url}",
            live=True,
            mode=DecodeMode.FULL if self._full_requested else self._options.mode,
            options=self._ffmpeg_options(),
            threads=self._options.threads,
            open_timeout_s=self._options.open_timeout_s,
            read_timeout_s=self._options.read_timeout_s,
        )

    def captures(self) -> Iterator[Capture]:
        """Frames as they arrive; raises SourceUnavailableError when the stream breaks or ends."""
        decoder = self._decoder
        if decoder is None:
            raise SourceUnavailableError(f"stream {self._url} is not open")
        for decoded in decoder.frames():
            yield Capture(
                stream_ts=decoded.stream_ts,
                captured_at=self._clock.epoch(decoded.stream_ts),
                load=decoded.to_image,
                keyframe=decoded.keyframe,
                error=decoded.error,
            )
        raise SourceUnavailableError(f"stream {self._url} ended (the server closed the connection)")

    @property
    def keyframe_interval_s(self) -> float | None:
        """Stream seconds between the last two key frames."""
        return self._decoder.keyframe_interval_s if self._decoder else None

    @property
    def keyframes_only(self) -> bool:
        """Whether only key frames are decoded."""
        return self._decoder.keyframes_only if self._decoder else not self._full_requested

    def decode_all_frames(self) -> None:
        """Decode every frame from now on (and after reconnects)."""
        self._full_requested = True
        if self._decoder is not None:
            self._decoder.decode_all_frames()

    def close(self) -> None:
        """Disconnect."""
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
