"""Tracker settings: every duration in seconds of capture time (or of worker time for idle cameras)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TrackerSettings(BaseModel):
    """How detections on a camera's successive samples are linked into tracks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iou_match: float = Field(
        default=0.3,
        gt=0.0,
        le=1.0,
        description="Boxes overlapping a track's last box by at least this IoU match it first (parked).",
    )
    max_speed: float = Field(
        default=2.0,
        ge=0.0,
        description="Fastest movement followed without overlap, in box sizes per second of capture time "
        "(people walk ~1, riders ~2-3 at typical camera distances).",
    )
    min_reach: float = Field(
        default=0.5,
        ge=0.0,
        description="Distance a track may always jump between two samples, in box sizes (detector jitter).",
    )
    max_age_s: float = Field(
        default=30.0,
        gt=0.0,
        description="A track not seen for this many seconds of capture time ends; a later sighting is new.",
    )
    same_class: bool = Field(
        default=True, description="Only match detections of the track's class (else any class)."
    )
    camera_idle_s: float = Field(
        default=300.0,
        gt=0.0,
        description="Drop a camera's tracker after this many seconds without a frame (worker clock).",
    )
    max_cameras: int = Field(
        default=4096, gt=0, description="Most cameras with tracker state; the longest quiet is dropped first."
    )
