"""Settings every push channel shares: the base of a channel's section, URLs, and the retry policy.

Each channel's own section (``webpush``, ``wecom``, ``dingtalk``, ``sms``) is a :class:`ChannelSettings` model
defined in the channel's module; :class:`dispatch.push.registry.PushSettings` is the whole settings file.
"""

from __future__ import annotations

from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _check_base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http(s) URL such as https://qyapi.weixin.qq.com")
    if parts.query or parts.fragment:
        raise ValueError(
            f"{value!r} must not carry a query or fragment; it is the base the API paths go under"
        )
    return value.rstrip("/")


BaseUrl = Annotated[str, AfterValidator(_check_base_url)]
"""An absolute http(s) URL without query, stored without a trailing slash."""


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelSettings(_Settings):
    """The base of every channel's section of the settings file; ``kind`` names the channel (the same kind
    as in the people's ``channels`` of the site file) and is filled in from the section's key."""

    kind: str = Field(description="The channel kind this section configures (its key in the file).")


class RetrySettings(_Settings):
    """Tries per channel, and the exponential backoff between tries after a transient failure."""

    attempts_per_channel: int = Field(
        default=3, ge=1, le=10, description="Tries on one channel before falling back to the next one."
    )
    initial_backoff_s: float = Field(
        default=1.0, gt=0, le=600, description="Wait before the second try on a channel, seconds."
    )
    multiplier: float = Field(default=2.0, ge=1.0, le=10, description="Factor the wait grows by per try.")
    max_backoff_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Longest wait between tries, seconds; also caps a Retry-After the service asks for.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_backoff_s < self.initial_backoff_s:
            raise ValueError(
                f"max_backoff_s {self.max_backoff_s} is below initial_backoff_s {self.initial_backoff_s}"
            )
        return self

    def delay_before(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before try number ``attempt`` (2 for the first retry) on the same channel."""
        if attempt < 2:
            raise ValueError(f"there is no wait before try {attempt}; retries start at try 2")
        delay = self.initial_backoff_s * self.multiplier ** (attempt - 2)
        if retry_after_s is not None:
            delay = max(delay, retry_after_s)
        return min(delay, self.max_backoff_s)
