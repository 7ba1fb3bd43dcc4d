"""How every Gridwatch process reaches Kafka: one settings value, read from the environment by the CLI."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENV_BOOTSTRAP = "GW_KAFKA_BOOTSTRAP"
ENV_CLIENT_ID = "GW_KAFKA_CLIENT_ID"
ENV_EMBEDDED = "GW_KAFKA_EMBEDDED"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"

_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class KafkaSettings(BaseModel):
    """Broker address and the client settings that are correct on both Tansu and Apache Kafka."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bootstrap_servers: str = Field(
        default=DEFAULT_BOOTSTRAP, description="Comma-separated host:port list of brokers to bootstrap from."
    )
    client_id: str = Field(
        default="gridwatch",
        min_length=1,
        max_length=100,
        description="Client id prefix shown in broker logs.",
    )
    session_timeout_ms: int = Field(
        default=6000,
        ge=6000,
        le=300_000,
        description="Consumer group session timeout; Tansu's JoinGroup waits half of it, so keep it small.",
    )
    heartbeat_interval_ms: int = Field(
        default=2000, gt=0, description="Consumer heartbeat interval; at most a third of the session timeout."
    )
    request_timeout_ms: int = Field(
        default=30_000, gt=0, description="How long a client waits for one broker response."
    )
    embedded: bool = Field(
        default=False,
        description="True on the embedded Tansu broker: turns on its workarounds (producer batch size 1).",
    )

    @field_validator("bootstrap_servers")
    @classmethod
    def _valid_servers(cls, value: str) -> str:
        servers = [part.strip() for part in value.split(",") if part.strip()]
        if not servers:
            raise ValueError("bootstrap_servers is empty; expected host:port[,host:port...]")
        for server in servers:
            match = _HOST_PORT.match(server)
            if match is None:
                raise ValueError(f"bootstrap server {server!r} is not host:port")
            if not 0 < int(match["port"]) < 65536:
                raise ValueError(f"bootstrap server {server!r} has port outside 1..65535")
        return ",".join(servers)

    @model_validator(mode="after")
    def _heartbeat_within_session(self) -> Self:
        if self.heartbeat_interval_ms * 3 > self.session_timeout_ms:
            raise ValueError(
                f"heartbeat_interval_ms {self.heartbeat_interval_ms} must be at most a third of "
                f"session_timeout_ms {self.session_timeout_ms}"
            )
        return self

    @property
    def bootstrap_list(self) -> list[str]:
        """The bootstrap servers as a list, as kafka-python takes them."""
        return self.bootstrap_servers.split(",")

    @property
    def producer_max_batch_size(self) -> int | None:
        """faust's ``producer_max_batch_size``: 1 on Tansu (table recovery reads wrong state otherwise)."""
        return 1 if self.embedded else None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> KafkaSettings:
        """Settings from ``GW_KAFKA_BOOTSTRAP``, ``GW_KAFKA_CLIENT_ID`` and ``GW_KAFKA_EMBEDDED``."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if ENV_BOOTSTRAP in env:
            values["bootstrap_servers"] = env[ENV_BOOTSTRAP]
        if ENV_CLIENT_ID in env:
            values["client_id"] = env[ENV_CLIENT_ID]
        if ENV_EMBEDDED in env:
            values["embedded"] = _parse_flag(ENV_EMBEDDED, env[ENV_EMBEDDED])
        values.update(overrides)
        return cls.model_validate(values)


def _parse_flag(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")
