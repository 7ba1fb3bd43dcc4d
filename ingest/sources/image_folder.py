"""A folder of still images read in name order, with capture times from sidecar JSON files or file times."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gridwatch.config import FolderTimestamps
from gridwatch.messages import SourceKind
from ingest.sources.base import Capture, Image, bad_capture
from ingest.sources.errors import (
    BadFrameError,
    SourceConfigError,
    SourceExhaustedError,
    SourceUnavailableError,
)
from ingest.sources.still_image import decode_image

#: Key of the capture time in a sidecar file: epoch seconds or an ISO 8601 time with a timezone.
SIDECAR_KEY = "captured_at"


def sidecar_path(image: Path) -> Path:
    """The sidecar of ``image``: its name with ``.json`` for its suffix (``0001.jpg`` -> ``0001.json``)."""
    return image.with_suffix(".json")


def read_sidecar(image: Path) -> float:
    """Capture time of ``image`` from its sidecar; BadFrameError naming the problem."""
    path = sidecar_path(image)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadFrameError(f"{image.name} has no sidecar {path.name}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadFrameError(f"sidecar {path.name} is unreadable: {error}") from None
    value = document.get(SIDECAR_KEY) if isinstance(document, dict) else None
    if isinstance(value, bool) or value is None:
        raise BadFrameError(f"sidecar {path.name} has no {SIDECAR_KEY!r} (epoch seconds or ISO 8601 time)")
    if isinstance(value, int | float):
        if value < 0:
            raise BadFrameError(f"sidecar {path.name}: {SIDECAR_KEY} {value} is negative")
        return float(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadFrameError(
                f"sidecar {path.name}: {SIDECAR_KEY} {value!r} is not an ISO 8601 time"
            ) from None
        if moment.tzinfo is None:
            raise BadFrameError(f"sidecar {path.name}: {SIDECAR_KEY} {value!r} has no timezone")
        return moment.timestamp()
    raise BadFrameError(
        f"sidecar {path.name}: {SIDECAR_KEY} must be a number or a string, not {type(value).__name__}"
    )


@dataclass(frozen=True, slots=True)
class FolderLoop:
    """How a looping image folder plays: as a live snapshot camera, one image every ``interval_s`` seconds
    of the monotonic clock (its stream time), captured at the wall clock's time, round and round."""

    interval_s: float
    wall: Callable[[], float]
    monotonic: Callable[[], float]
    sleep: Callable[[float], None]

    def __post_init__(self) -> None:
        if self.interval_s <= 0:
            raise ValueError(f"a looping image folder needs a positive interval, got {self.interval_s}")


class ImageFolderSource:
    """Images matching ``pattern`` in ``folder``, sorted by name.

    Read once (``loop`` None), they come as fast as they read, and stream time and capture time are the
    image's time from its sidecar or modification time. With a :class:`FolderLoop` they come round and
    round, paced and stamped as a live snapshot camera's (the recorded times are not read).
    """

    def __init__(
        self,
        folder: Path,
        *,
        pattern: str,
        timestamps: FolderTimestamps,
        loop: FolderLoop | None = None,
    ) -> None:
        self._folder = folder
        self._pattern = pattern
        self._timestamps = timestamps
        self._loop = loop
        self._files: list[Path] | None = None

    @property
    def kind(self) -> SourceKind:
        """An image folder."""
        return SourceKind.DIRECTORY

    @property
    def description(self) -> str:
        """The folder and pattern."""
        return str(self._folder / self._pattern)

    def open(self) -> None:
        """List the folder; raises SourceConfigError when it is missing or holds no matching image."""
        if not self._folder.is_dir():
            raise SourceConfigError(f"image folder {self._folder} does not exist")
        files = sorted(p for p in self._folder.glob(self._pattern) if p.is_file())
        if not files:
            raise SourceConfigError(f"image folder {self._folder} has no file matching {self._pattern!r}")
        self._files = files

    def _time_of(self, path: Path) -> float:
        if self._timestamps is FolderTimestamps.SIDECAR:
            return read_sidecar(path)
        try:
            return path.stat().st_mtime
        except OSError as error:
            raise BadFrameError(f"{path.name} vanished: {error.strerror}") from None

    def captures(self) -> Iterator[Capture]:
        """Each image once, in name order, then SourceExhaustedError; with a loop, round and round."""
        if self._files is None:
            raise SourceUnavailableError(f"image folder {self._folder} is not open")
        if self._loop is not None:
            yield from self._looped(self._files, self._loop)
            return
        last = 0.0
        for path in self._files:
            try:
                at = self._time_of(path)
            except BadFrameError as error:
                yield bad_capture(last, last, error.reason)
                continue
            last = at
            yield Capture(stream_ts=at, captured_at=at, load=_Load(path))
        raise SourceExhaustedError(f"image folder {self._folder}: all {len(self._files)} images read")

    @staticmethod
    def _looped(files: list[Path], loop: FolderLoop) -> Iterator[Capture]:
        """The images in name order, again and again, one per interval (late ticks are skipped, not burst)."""
        next_tick = loop.monotonic()
        while True:
            for path in files:
                wait = next_tick - loop.monotonic()
                if wait > 0:
                    loop.sleep(wait)
                now = loop.monotonic()
                next_tick += loop.interval_s
                if next_tick < now:  # fell behind: the next image a whole interval from now
                    next_tick = now + loop.interval_s
                yield Capture(stream_ts=now, captured_at=loop.wall(), load=_Load(path))

    def close(self) -> None:
        """Nothing to release."""
        self._files = None


class _Load:
    """Reads and decodes one image when the sampler keeps it."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __call__(self, _max_side: int) -> Image:
        try:
            data = self._path.read_bytes()
        except OSError as error:
            raise BadFrameError(f"{self._path.name} is unreadable: {error.strerror}") from None
        return decode_image(data, what=self._path.name)
