"""`gw.frames`: one sampled camera image, JPEG at the detector input size, keyed by camera id."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from gridwatch.messages.base import EpochSeconds, GwMessage, Identifier

#: Largest JPEG a frame may carry: the whole record must fit Kafka's default 1 MiB ``message.max.bytes``.
MAX_JPEG_BYTES = 900_000
#: Smallest JPEG a frame may carry (SOI + a segment + EOI); anything shorter is not an image.
MIN_JPEG_BYTES = 8
#: Largest image side we accept, in pixels.
MAX_IMAGE_SIDE = 8192

JPEG_SOI = b"\xff\xd8"
JPEG_EOI = b"\xff\xd9"


class SourceKind(StrEnum):
    """Where the camera pool read the frame from."""

    RTSP = "rtsp"
    HTTP_SNAPSHOT = "http_snapshot"
    FILE = "file"
    DIRECTORY = "directory"


class FrameReason(StrEnum):
    """Why the sampler published this frame."""

    FIRST = "first"
    MOTION = "motion"
    KEEPALIVE = "keepalive"


class Frame(GwMessage):
    """One image from one camera, as the detectors consume it (encoded in a binary envelope, see codec)."""

    schema_version: Literal["gw.frames/1"] = Field(
        default="gw.frames/1", description="Schema version of this record."
    )
    camera_id: Identifier = Field(description="Camera that captured the image; the record key.")
    seq: int = Field(ge=0, description="Per-camera sequence number of published frames, from 0.")
    captured_at: EpochSeconds = Field(description="Capture time in epoch seconds (from the frame timestamp).")
    source_kind: SourceKind = Field(description="Kind of source the frame was read from.")
    width: int = Field(gt=0, le=MAX_IMAGE_SIDE, description="Image width in pixels.")
    height: int = Field(gt=0, le=MAX_IMAGE_SIDE, description="Image height in pixels.")
    reason: FrameReason = Field(description="Why this frame was published: first, motion or keepalive.")
    jpeg: bytes = Field(
        min_length=MIN_JPEG_BYTES,
        max_length=MAX_JPEG_BYTES,
        description="The image as a baseline JPEG, SOI to EOI, at most MAX_JPEG_BYTES.",
        repr=False,
    )

    @field_validator("jpeg")
    @classmethod
    def _jpeg_markers(cls, value: bytes) -> bytes:
        if not value.startswith(JPEG_SOI):
            raise ValueError(f"not a JPEG: starts with {value[:2].hex()} instead of the SOI marker ffd8")
        if not value.endswith(JPEG_EOI):
            raise ValueError(f"truncated JPEG: ends with {value[-2:].hex()} instead of the EOI marker ffd9")
        return value
