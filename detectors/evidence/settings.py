"""Where evidence goes and when it is rendered."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class EvidencePolicy(StrEnum):
    """Which frames get an annotated snapshot."""

    NEVER = "never"
    RELEVANT = "relevant"
    """Frames with an object whose kind a rule of the zone it stands in watches (what incidents need)."""
    ALWAYS = "always"


class S3Settings(BaseModel):
    """An S3-compatible bucket (AWS S3, MinIO, Ceph...) reached with signed HTTP PUTs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: str = Field(
        description="Base URL of the S3 API, e.g. http://127.0.0.1:9000 or https://s3.amazonaws.com."
    )
    bucket: str = Field(min_length=3, description="Bucket the snapshots go to (path-style addressing).")
    region: str = Field(default="us-east-1", description="Region used in the request signature.")
    access_key_env: str = Field(
        default="GW_S3_ACCESS_KEY", description="Environment variable holding the access key id."
    )
    secret_key_env: str = Field(
        default="GW_S3_SECRET_KEY", description="Environment variable holding the secret access key."
    )
    prefix: str = Field(default="evidence/", description="Key prefix inside the bucket.")
    public_base_url: str | None = Field(
        default=None, description="URL prefix readers use for an object key; unset: endpoint/bucket/."
    )
    timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one upload in seconds.")


class EvidenceSettings(BaseModel):
    """When annotated snapshots are rendered and where they are stored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: EvidencePolicy = Field(
        default=EvidencePolicy.RELEVANT, description="never, relevant (frames incidents may need) or always."
    )
    directory: Path = Field(
        default=Path("var/evidence"), description="Local folder store (used unless `s3` is set)."
    )
    base_url: str | None = Field(
        default=None,
        description="URL prefix for files in `directory` (e.g. served by the web app); unset: file:// URLs.",
    )
    s3: S3Settings | None = Field(default=None, description="Store in an S3-compatible bucket instead.")
    jpeg_quality: int = Field(default=80, ge=10, le=100, description="JPEG quality of the snapshots.")
    keep_raw: bool = Field(
        default=True,
        description="Also store the frame as captured, without drawings, beside each snapshot (same key, "
        "`.raw.jpg`): the labelled examples that cases become need it (about twice the evidence storage).",
    )
    label_font: Path | None = Field(
        default=None,
        description="TrueType/OpenType font with CJK glyphs for labels; unset: $GW_LABEL_FONT, then known "
        "system locations (fonts-wqy-microhei, fonts-noto-cjk...); none found: ASCII labels.",
    )
