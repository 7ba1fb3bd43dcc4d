"""The detection cache: what the model (and the static-foreground signal) found on each sampled frame.

Keyed by (footage, model, thresholds): the footage's content digest, the sampling interval, the frame size
and JPEG quality the detector saw, the model id, version and runtime, the model's own score floor, and whether
static-foreground boxes were computed. Rule parameters, zones and the replay confidence threshold are not part
of the key: changing them re-runs the rules from the cache without running the model again.

Layout: ``<cache>/<key>/meta.json``, ``frames.jsonl.gz`` (one line per sampled frame) and ``thumbs/<n>.jpg``
(small frames for evidence thumbnails and the labelling page). An entry is written to a temporary folder and
renamed into place, so a half-written entry is never read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from gridwatch.messages.detections import DetectionsField

CACHE_FORMAT = 3  # 3: detections carry colour signatures; zone tiles and zoomed views


class CacheKey(BaseModel):
    """Everything the cached detections depend on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    footage_sha256: str = Field(description="SHA-256 of the footage content.")
    sample_interval_s: float = Field(gt=0, description="Seconds between sampled frames (camera sample_fps).")
    max_side: int = Field(gt=0, description="Longest side of the frames the detector saw, in pixels.")
    jpeg_quality: int = Field(ge=10, le=100, description="JPEG quality of those frames.")
    model_id: str = Field(description="Model id.")
    model_version: str = Field(description="Model version or weights digest.")
    runtime: str = Field(description="Runtime that ran the model (onnxruntime, openvino, ultralytics).")
    score_floor: float = Field(
        ge=0, le=1, description="The model's own minimum score: the lowest replay conf."
    )
    static_foreground: bool = Field(description="Whether static-foreground boxes were computed too.")
    static_model: str = Field(
        default="",
        description="Version and settings of the static-foreground model when its boxes were computed.",
    )
    views: str = Field(
        default="whole-frame",
        description="Where the detector looked: the whole frame, or zone tiles (a digest of the camera's "
        "detection settings and zones).",
    )
    verifier: str = Field(
        default="",
        description="The camera's verifier (id, training data, threshold) when one rescored the detections.",
    )
    cache_format: int = Field(default=CACHE_FORMAT, description="Version of the cache layout.")

    def digest(self) -> str:
        """The entry's folder name: a hash of the key."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class CachedFrame(BaseModel):
    """Detections of one sampled frame."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    offset_s: float = Field(ge=0, description="Seconds from the first frame of the footage.")
    captured_at: float = Field(description="Capture time the footage gave the frame, epoch seconds.")
    width: int = Field(gt=0, description="Width of the frame the detector saw.")
    height: int = Field(gt=0, description="Height of the frame the detector saw.")
    detections: DetectionsField = Field(description="Model and static-foreground detections.")


class CacheMeta(BaseModel):
    """What an entry holds, besides its frames."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: CacheKey = Field(description="The key the entry was made for.")
    footage: str = Field(description="Path of the footage when the entry was made (informative).")
    source_start: float = Field(description="Capture time of the first frame as the footage gave it.")
    native_size: tuple[int, int] = Field(description="Footage frame size [width, height] before resizing.")
    frames: int = Field(ge=0, description="Number of sampled frames.")
    thumb_side: int = Field(gt=0, description="Longest side of the thumbnails, in pixels.")
    detect_seconds: float = Field(ge=0, description="Seconds the detection run took.")


class CachedFootage(BaseModel):
    """A whole cache entry in memory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meta: CacheMeta = Field(description="The entry's description.")
    frames: tuple[CachedFrame, ...] = Field(description="Every sampled frame, in order.")
    folder: Path | None = Field(default=None, description="Where the entry lives (thumbnails).")

    def thumbnail(self, index: int) -> bytes | None:
        """JPEG thumbnail of frame ``index``, if stored."""
        if self.folder is None:
            return None
        path = self.folder / "thumbs" / f"{index:06d}.jpg"
        return path.read_bytes() if path.is_file() else None


def default_cache_dir() -> Path:
    """``$GW_DATA_DIR/replay-cache`` (``var/replay-cache`` by default)."""
    return Path(os.environ.get("GW_DATA_DIR", "var")) / "replay-cache"


class DetectionCache:
    """Entries under ``root``; ``load`` returns None on a miss (or an unreadable entry)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, key: CacheKey) -> Path:
        """Where the entry of ``key`` lives."""
        return self.root / key.digest()

    def load(self, key: CacheKey) -> CachedFootage | None:
        """The entry of ``key``, or None when there is none (or it does not read back)."""
        folder = self.folder(key)
        try:
            meta = CacheMeta.model_validate_json((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.key != key:
                return None
            with gzip.open(folder / "frames.jsonl.gz", "rt", encoding="utf-8") as handle:
                frames = tuple(CachedFrame.model_validate_json(line) for line in handle if line.strip())
        except (OSError, ValueError):
            return None
        return CachedFootage(meta=meta, frames=frames, folder=folder)

    def store(self, meta: CacheMeta, frames: list[CachedFrame], thumbs: list[bytes]) -> CachedFootage:
        """Write an entry atomically; returns it as :meth:`load` would."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.folder(meta.key)
        scratch = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
        try:
            (scratch / "thumbs").mkdir()
            for index, data in enumerate(thumbs):
                (scratch / "thumbs" / f"{index:06d}.jpg").write_bytes(data)
            with gzip.open(scratch / "frames.jsonl.gz", "wt", encoding="utf-8") as handle:
                for frame in frames:
                    handle.write(frame.model_dump_json() + "\n")
            (scratch / "meta.json").write_text(meta.model_dump_json(indent=2), encoding="utf-8")
            if target.exists():
                shutil.rmtree(target)
            scratch.rename(target)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return CachedFootage(meta=meta, frames=tuple(frames), folder=target)
