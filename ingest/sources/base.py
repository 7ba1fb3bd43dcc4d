"""The one interface every source implements: open, yield captures, close."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from gridwatch.messages import SourceKind
from ingest.sources.errors import BadFrameError

#: An image as OpenCV holds it: height x width x 3, BGR, uint8.
Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Capture:
    """One frame a source delivered, with its times; the image is converted only when asked for.

    ``stream_ts`` is the source's own timeline in seconds (PTS x time_base for streams and files, the capture
    time for pulled snapshots): the sampler ticks on it. ``captured_at`` is epoch seconds for the message.
    ``load(max_side)`` returns the BGR image, scaled down (never up) so that its longest side is at most
    ``max_side`` when the source can do that cheaply, or raises :class:`BadFrameError`; a source may yield a
    capture whose ``load`` always raises, to report a frame it could not decode.
    """

    stream_ts: float
    captured_at: float
    load: Callable[[int], Image] = field(repr=False)
    keyframe: bool = True
    #: Why the source could not decode this frame; None for a good frame.
    error: str | None = None

    def image(self, max_side: int) -> Image:
        """The frame as a BGR uint8 array (longest side at most ``max_side`` where the source can scale it);
        raises :class:`BadFrameError` when it cannot be had."""
        return self.load(max_side)


def bad_capture(stream_ts: float, captured_at: float, reason: str) -> Capture:
    """A capture that stands for a frame the source could not decode."""

    def fail(_max_side: int) -> Image:
        raise BadFrameError(reason)

    return Capture(stream_ts=stream_ts, captured_at=captured_at, load=fail, error=reason)


class FrameSource(Protocol):
    """A camera's source of frames. ``captures`` raises a :class:`~ingest.sources.errors.SourceError` when
    the source fails or (for finite sources) is exhausted; it never raises anything else on bad data."""

    @property
    def kind(self) -> SourceKind:
        """The kind of source, as frames report it."""
        ...

    @property
    def description(self) -> str:
        """Where the frames come from, safe to log (no credentials)."""
        ...

    def open(self) -> None:
        """Connect or open; raises SourceError."""
        ...

    def captures(self) -> Iterator[Capture]:
        """Frames as they come; ends by raising SourceError (never returns normally for live sources)."""
        ...

    def close(self) -> None:
        """Release the connection; safe to call twice and after a failed open."""
        ...


@runtime_checkable
class GopAware(Protocol):
    """A stream source that knows how far apart its key frames are and can switch to full decoding."""

    @property
    def keyframe_interval_s(self) -> float | None:
        """Stream seconds between the last two key frames seen, or None before two were seen."""
        ...

    @property
    def keyframes_only(self) -> bool:
        """Whether only key frames are decoded."""
        ...

    def decode_all_frames(self) -> None:
        """Switch to decoding every frame from now on."""
        ...
