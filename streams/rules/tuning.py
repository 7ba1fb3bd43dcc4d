"""Knobs of the rule engine that are the same for every zone (the per-zone ones live in the site config)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RuleTuning(BaseModel):
    """How the rules match objects across samples and how often an open incident is re-sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    match_iou: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="Boxes on two samples that overlap at least this much (IoU) are the same object; "
        "track ids are not trusted (they switch).",
    )
    move_tolerance: float = Field(
        default=0.35,
        gt=0,
        description="An object whose bottom-centre drifts more than this share of its box height from where "
        "it stopped has moved: its dwell starts again.",
    )
    static_cover: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of an object's box static foreground must cover for a sample without a matching "
        "detection to still count as evidence that it stands there.",
    )
    ridden_overlap: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="Share of a two-wheeler's box a person's box must cover, the person's feet in its lower "
        "half, for the two-wheeler to count as ridden (never parked).",
    )
    vendor_reach: float = Field(
        default=1.0,
        ge=0,
        description="A person tends a cart or stall when the gap between their boxes is at most this many "
        "widths of the cart's box.",
    )
    update_interval_s: float = Field(
        default=60.0,
        gt=0,
        description="Seconds between two updates of an open incident whose object count is unchanged.",
    )
    max_boxes: int = Field(default=50, ge=1, le=1000, description="Most boxes one incident message carries.")
