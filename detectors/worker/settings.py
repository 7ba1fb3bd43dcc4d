"""Settings of the detector worker loop: consumer group, batching, publishing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from detectors.evidence.settings import EvidenceSettings
from gridwatch.runtime.metrics_http import DEFAULT_METRICS_HOST

DEFAULT_GROUP_ID = "gw-detectors"


class BatchingSettings(BaseModel):
    """How frames of many cameras are gathered into one model batch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_batch_size: int = Field(default=8, gt=0, le=256, description="Most frames per model batch.")
    max_wait_ms: float = Field(
        default=40.0,
        ge=0.0,
        description="After the first frame of a batch arrives, wait at most this long for the batch to fill.",
    )
    poll_timeout_ms: int = Field(
        default=500, gt=0, description="How long one poll waits for the first frame of a batch."
    )


class DetectWorkerSettings(BaseModel):
    """One detector worker process."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group_id: str = Field(
        default=DEFAULT_GROUP_ID, min_length=1, description="Consumer group the workers share the load in."
    )
    name: str = Field(default="detect", min_length=1, description="Consumer name on dead letters and logs.")
    batching: BatchingSettings = Field(
        default_factory=BatchingSettings, description="Batching across cameras."
    )
    camera_idle_s: float = Field(
        default=300.0,
        gt=0.0,
        description="Forget a camera's per-camera state (static-foreground model) after this many seconds "
        "without a frame (worker clock).",
    )
    max_cameras: int = Field(
        default=4096, gt=0, description="Most cameras with per-camera state; the longest quiet goes first."
    )
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings, description="Annotated snapshots.")
    send_timeout_s: float = Field(
        default=30.0, gt=0, description="How long to wait for the broker to ack a batch's detections."
    )
    metrics_port: int | None = Field(
        default=9311, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint; unset: none."
    )
    metrics_host: str = Field(
        default=DEFAULT_METRICS_HOST,
        min_length=1,
        description="Address the /metrics endpoint listens on: loopback by default; 0.0.0.0 where a "
        "Prometheus on another host scrapes it (as in docker-compose).",
    )
