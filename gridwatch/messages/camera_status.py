"""`gw.camera-status`: health of one camera as the camera pool sees it, keyed by camera id."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from gridwatch.messages.base import EpochSeconds, GwMessage, Identifier, ShortText, WireModel


class CameraState(StrEnum):
    """How well a camera is delivering frames."""

    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"
    FINISHED = "finished"  # a finite source (a file, an image folder read once) ended: no more frames


class CameraCounters(WireModel):
    """Frame counters of one camera, cumulative since its source was started."""

    sampled: int = Field(ge=0, description="Frames taken from the stream by the sampler.")
    published: int = Field(ge=0, description="Frames published to gw.frames.")
    skipped_by_gate: int = Field(ge=0, description="Sampled frames the motion gate held back.")
    dropped: int = Field(ge=0, description="Frames lost to back-pressure or publish errors.")
    bad_frames: int = Field(ge=0, description="Frames that could not be decoded or encoded.")


class CameraStatus(GwMessage):
    """A camera's state at one moment, sent on change and periodically."""

    schema_version: Literal["gw.camera-status/1"] = Field(
        default="gw.camera-status/1", description="Schema version of this record."
    )
    camera_id: Identifier = Field(description="The camera; the record key.")
    status: CameraState = Field(description="online, degraded or offline.")
    reason: ShortText = Field(default="", description="Why the camera is in this state; empty when online.")
    at: EpochSeconds = Field(description="When the state was assessed, epoch seconds.")
    counters: CameraCounters = Field(description="Frame counters since the camera source started.")
