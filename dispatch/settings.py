"""Settings of the dispatch process: where it listens, where photos go, its secret, its time limits.

Read from the environment by :meth:`DispatchSettings.from_env` (``GW_DISPATCH_*``, ``GW_DATA_DIR``); the CLI
may override any field. Time limits of cases are not here: they belong to the event classes of the site file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

ENV_PREFIX = "GW_DISPATCH_"
ENV_DATA_DIR = "GW_DATA_DIR"


class DispatchSettings(BaseModel):
    """Everything the dispatch process needs besides the site file, the database URL and the broker."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8600, ge=0, le=65535, description="Port the API listens on (0: any free one).")
    public_base_url: str = Field(
        default="http://127.0.0.1:8600",
        description="Absolute URL at which phones reach this API; task links and rating links start with it.",
    )
    data_dir: Path = Field(
        default=Path("var"), description="Directory for photos (under photos/) and secrets."
    )
    secret: SecretStr | None = Field(
        default=None,
        description="Key that signs resident rating links; None: a random key kept in DATA_DIR/dispatch.key.",
    )
    consumer_group: str = Field(
        default="gw-dispatch", min_length=1, description="Kafka consumer group reading gw.incidents."
    )
    photo_max_bytes: int = Field(
        default=8 * 1024 * 1024, gt=0, description="Largest photo accepted, in bytes."
    )
    verify_grace_s: float | None = Field(
        default=None,
        ge=0,
        description=(
            "Seconds after a case is marked handled during which an incident update does not return it for "
            "rework; None: the zone rule's clear_s (the time the zone must stay clear to end the incident)."
        ),
    )
    auto_close_after_h: float | None = Field(
        default=4.0,
        gt=0,
        description="Working hours after verification when an unclosed case closes itself; None: never.",
    )
    rating_link_ttl_h: float = Field(
        default=72.0, gt=0, description="Hours a resident's signed rating link stays valid."
    )
    timer_poll_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Seconds between two looks, each loop on its own thread, for due timers, pushes due "
        "(first tries and scheduled retries) and case events not yet on the broker.",
    )
    delivery_retry_after_s: float = Field(
        default=300.0,
        gt=0,
        description="Seconds after which a push still 'sending' (its process died mid-send) is retried.",
    )
    sse_keepalive_s: float = Field(
        default=15.0, gt=0, description="Seconds between keep-alive comments on the live event stream."
    )
    evidence_dir: Path | None = Field(
        default=None,
        description="The detector's local evidence folder, served read-only at /evidence/; "
        "None: DATA_DIR/evidence (where `gridwatch detect` writes by default).",
    )
    camera_status: bool = Field(
        default=True, description="Read gw.camera-status to show camera health on the dashboard."
    )

    @field_validator("public_base_url")
    @classmethod
    def _absolute_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"public_base_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @property
    def photo_dir(self) -> Path:
        """Where uploaded photos are stored."""
        return self.data_dir / "photos"

    @property
    def evidence_root(self) -> Path:
        """Where the evidence served at /evidence/ lies."""
        return self.evidence_dir if self.evidence_dir is not None else self.data_dir / "evidence"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> DispatchSettings:
        """Settings from ``GW_DISPATCH_<FIELD>`` variables and ``GW_DATA_DIR``, then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            key = ENV_PREFIX + name.upper()
            if key in env:
                values[name] = env[key]
        if "data_dir" not in values and ENV_DATA_DIR in env:
            values["data_dir"] = env[ENV_DATA_DIR]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
