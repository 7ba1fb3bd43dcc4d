"""A folder of still images read in name order, with capture times from sidecar JSON files or file times."""

from __future__ import annotations

import json
from collections.abc import Iterator
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


class ImageFolderSource:
    """Images matching ``pattern`` in ``folder``, sorted by name, delivered once and as fast as they read.

    Stream time and capture time are the same: the image's time from its sidecar or modification time.
    """

    def __init__(self, folder: Path, *, pattern: str, timestamps: FolderTimestamps) -> None:
        self._folder = folder
        self._pattern = pattern
        self._timestamps = timestamps
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
        """Each image once, in name order; raises SourceExhaustedError after the last."""
        if self._files is None:
            raise SourceUnavailableError(f"image folder {self._folder} is not open")
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
