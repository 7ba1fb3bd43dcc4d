"""Process-level ingest settings: how frames are sized, gated, queued and how cameras are reconnected.

The camera list and per-camera values (sample rate, source, motion-gate fraction and keepalive) come from the
site configuration; these settings apply to every camera a process runs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gridwatch.config import DecodeMode


class LongGopPolicy(StrEnum):
    """What a keyframe-only camera does when its key frames come less often than its sampling interval."""

    REPORT = "report"
    FULL_DECODE = "full_decode"


class BackoffSettings(BaseModel):
    """Exponential backoff with jitter between reconnect attempts of one camera."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    initial_s: float = Field(
        default=1.0, gt=0, description="Delay before the first reconnect attempt, seconds."
    )
    max_s: float = Field(default=60.0, gt=0, description="Longest delay between attempts, seconds.")
    multiplier: float = Field(
        default=2.0, ge=1.0, description="Factor the delay grows by after each failure."
    )
    jitter: float = Field(
        default=0.25,
        ge=0.0,
        lt=1.0,
        description="Each delay is scaled by a random factor in [1 - jitter, 1 + jitter].",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_s < self.initial_s:
            raise ValueError(f"backoff max_s {self.max_s} is below initial_s {self.initial_s}")
        return self


class IngestSettings(BaseModel):
    """Knobs of one ingest process; every field has a default that suits ~300 cameras per process."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_side: int = Field(
        default=960,
        ge=32,
        le=8192,
        description="Longest side of published frames in pixels (never upscaled).",
    )
    jpeg_quality: int = Field(
        default=80, ge=10, le=100, description="JPEG quality of published frames, 10-100."
    )
    motion_pixel_threshold: int = Field(
        default=25,
        ge=1,
        le=255,
        description="Grey-level difference (0-255) from which a pixel counts as changed in the motion gate.",
    )
    motion_gate_width: int = Field(
        default=160, ge=16, le=1024, description="Width in pixels of the grey image the motion gate compares."
    )
    publish_queue_per_camera: int = Field(
        default=4,
        ge=1,
        le=1000,
        description="Frames a camera may have waiting for the broker; beyond that the oldest is dropped.",
    )
    backoff: BackoffSettings = Field(
        default_factory=BackoffSettings, description="Reconnect backoff of a camera whose source failed."
    )
    connect_timeout_s: float = Field(default=10.0, gt=0, le=300, description="Seconds to open a stream.")
    read_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds without data after which a live stream counts as lost.",
    )
    probe_s: float = Field(
        default=1.0,
        gt=0,
        le=30,
        description=(
            "Seconds of a live stream FFmpeg may read at connect to find its parameters; frames read "
            "meanwhile arrive in a burst, so keep it short."
        ),
    )
    decoder_threads: int = Field(
        default=1,
        ge=0,
        le=64,
        description="Decoder threads per stream (0: FFmpeg decides); 1 suits many cameras.",
    )
    file_decode: DecodeMode = Field(
        default=DecodeMode.FULL,
        description="Decode mode of video-file sources: full samples at the configured rate exactly.",
    )
    long_gop_policy: LongGopPolicy = Field(
        default=LongGopPolicy.REPORT,
        description=(
            "report: keep keyframe-only decoding and mark the camera degraded when key frames are further "
            "apart than the sampling interval; full_decode: switch that camera to full decoding."
        ),
    )
    gop_tolerance: float = Field(
        default=1.5,
        ge=1.0,
        description="Key frames may be this many sampling intervals apart before the GOP counts as too long.",
    )
    stall_after_s: float = Field(
        default=15.0,
        gt=0,
        description="A connected camera that produced no frame for this long (or 3 intervals) is degraded.",
    )
    bad_frame_window: int = Field(
        default=20, ge=1, le=10_000, description="Recent frames over which the bad-frame share is computed."
    )
    bad_frame_degraded_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of bad frames in the window from which a camera is degraded.",
    )
    aspect_tolerance: float = Field(
        default=0.03,
        ge=0,
        le=1,
        description="Relative aspect-ratio difference from the configured resolution that makes a frame bad.",
    )
    live_clock_max_drift_s: float = Field(
        default=5.0,
        gt=0,
        description="Re-anchor live stream timestamps to the wall clock when they drift further than this.",
    )
    status_interval_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds between periodic camera-status messages (also sent on change).",
    )
    loop_footage: bool = Field(
        default=False,
        description="Replay every video-file and image-folder camera again and again, whatever its own "
        "`loop` says, so that no camera goes offline because its footage ran out: an image folder then "
        "plays as a live snapshot camera (one image per sampling interval, stamped with the wall clock, "
        "its sidecar or file times ignored). `gridwatch run`, the demo, turns it on.",
    )

    @classmethod
    def load(cls, path: Path) -> IngestSettings:
        """Settings from a YAML (or JSON) file; a clear error names the file and each bad field."""
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ValueError(f"cannot read ingest settings {path}: {error.strerror}") from None
        except yaml.YAMLError as error:
            raise ValueError(f"ingest settings {path} is not valid YAML: {error}") from None
        if document is None:
            return cls()
        if not isinstance(document, dict):
            raise ValueError(
                f"ingest settings {path} must be a mapping of field names, not {type(document).__name__}"
            )
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}"
                for item in error.errors()
            )
            raise ValueError(f"ingest settings {path}: {problems}") from None
