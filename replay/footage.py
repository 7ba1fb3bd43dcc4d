"""Which footage is replayed as which camera of the candidate site, and from when.

A footage item is a video file or an image folder replayed as one camera. Its capture times come from the
frames: a video file's container time (PTS) from its start (``start``, else the container's
``creation_time``, else the file's modification time), an image folder's sidecar or file times. Zones are
drawn in the camera's native pixels; footage of another size but the same shape is fine (detections are
scaled to the native size, as for a camera's sub-stream); footage of another shape is refused unless
``stretch`` says to scale x and y separately.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from replay.errors import ReplayError
from replay.times import parse_iso

VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".avi", ".mov", ".ts", ".gif", ".webm", ".h264", ".flv"})


class FootageKind(StrEnum):
    """How the footage is read."""

    VIDEO = "video"
    IMAGE_FOLDER = "image_folder"


class FootageItem(BaseModel):
    """One recording replayed as one camera."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="A video file or a folder of images.")
    camera: str = Field(min_length=1, description="Id of the candidate site's camera the footage stands for.")
    start: str | None = Field(
        default=None,
        description="Capture time of the first frame as ISO 8601 with a timezone; unset: the container's "
        "creation_time, else the file's modification time (image folders: their own times).",
    )
    pattern: str = Field(default="*.jpg", description="Image folders: which files are frames.")
    stretch: bool = Field(
        default=False,
        description="Accept footage whose aspect ratio differs from the camera's (x and y scaled apart).",
    )
    loop_for_s: float | None = Field(
        default=None,
        gt=0,
        description="Replay the footage again and again until this many seconds of it have been sampled "
        "(short footage standing for a long watch); unset: once.",
    )

    @property
    def kind(self) -> FootageKind:
        """Video file or image folder."""
        return FootageKind.IMAGE_FOLDER if self.path.is_dir() else FootageKind.VIDEO

    def start_epoch(self) -> float | None:
        """The configured start as epoch seconds, or None."""
        return None if self.start is None else parse_iso(self.start)

    def check(self) -> None:
        """ReplayError when the footage is missing or not a kind replay reads."""
        if not self.path.exists():
            raise ReplayError(f"footage {self.path} does not exist")
        if self.path.is_file() and self.path.suffix.lower() not in VIDEO_SUFFIXES:
            raise ReplayError(
                f"footage {self.path}: {self.path.suffix or 'no suffix'} is not a video file "
                f"({', '.join(sorted(VIDEO_SUFFIXES))}) and the path is not an image folder"
            )
        if self.start is not None:
            try:
                parse_iso(self.start)
            except ValueError as error:
                raise ReplayError(f"footage {self.path}: start {error}") from None


def digest(item: FootageItem) -> str:
    """SHA-256 of the footage content (a folder: names, sizes and bytes of its frames and sidecars), and of
    the loop duration when the footage is looped."""
    hasher = hashlib.sha256()
    if item.path.is_dir():
        for path in sorted(item.path.iterdir()):
            if path.is_file():
                hasher.update(path.name.encode("utf-8") + b"\0")
                hasher.update(path.read_bytes())
        hasher.update(item.pattern.encode("utf-8"))
    else:
        with item.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(chunk)
    if item.loop_for_s is not None:  # a looped replay is other footage: its own cache entry
        hasher.update(f"\0loop_for_s={item.loop_for_s!r}".encode())
    return hasher.hexdigest()


def load_mapping(path: Path) -> list[FootageItem]:
    """Footage items from a YAML or JSON mapping file: a list of ``{path, camera, start?, pattern?}``.

    Relative paths are taken from the mapping file's folder. ReplayError naming the entry on a problem.
    """
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReplayError(f"mapping file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ReplayError(f"mapping file {path} cannot be read: {error}") from None
    if isinstance(raw, dict) and "footage" in raw:
        raw = raw["footage"]
    if not isinstance(raw, list) or not raw:
        raise ReplayError(f"{path}: expected a non-empty list of {{path, camera, start}} entries")
    items = []
    for index, entry in enumerate(raw):
        where = f"{path}: footage[{index}]"
        if not isinstance(entry, dict):
            raise ReplayError(f"{where}: expected a mapping with path and camera, got {entry!r}")
        try:
            item = FootageItem.model_validate(entry)
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            field = ".".join(str(p) for p in first["loc"])
            raise ReplayError(f"{where}.{field}: {first['msg']}") from None
        if not item.path.is_absolute():
            item = item.model_copy(update={"path": path.parent / item.path})
        item.check()
        items.append(item)
    cameras = [item.camera for item in items]
    repeated = sorted({c for c in cameras if cameras.count(c) > 1})
    if repeated:
        raise ReplayError(f"{path}: camera {', '.join(repeated)} has more than one footage item")
    return items


def describe(items: list[FootageItem]) -> str:
    """A short JSON description of footage items (for reports)."""
    return json.dumps([{"path": str(i.path), "camera": i.camera} for i in items], ensure_ascii=False)
