"""What every channel implements: a sender, how one try on it turns out, and the plugin that registers it.

A channel is one module (``webpush``, ``wecom``, ``dingtalk``, ``sms_gateway``) holding its settings section
(a :class:`~dispatch.push.settings.ChannelSettings`), its :class:`ChannelSender` and a :class:`ChannelPlugin`
that builds the sender from the section and a :class:`ChannelContext`; :mod:`dispatch.push.registry` lists
the plugins, keyed by kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

import httpx

from dispatch.push.notice import TaskNotice
from dispatch.push.settings import ChannelSettings
from dispatch.push.webpush_subscription import WebPushSubscription
from gridwatch.config import Person, PushChannel


class PushConfigError(ValueError):
    """Push settings that cannot be used: a secret missing from the environment, an unreadable key."""


class SendStatus(StrEnum):
    """How one try went, and so whether trying again can help."""

    DELIVERED = "delivered"  # the service accepted the message
    TRANSIENT = "transient"  # network error, 429, 5xx, "busy": the same channel may work on a later try
    PERMANENT = "permanent"  # invalid user, bad request, nothing to send to: go to the next channel


@dataclass(frozen=True)
class SendResult:
    """The result of one try; ``retry_after_s`` is the wait the service asked for (Retry-After), if any."""

    status: SendStatus
    detail: str
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the message was accepted."""
        return self.status is SendStatus.DELIVERED

    @classmethod
    def delivered(cls, detail: str) -> SendResult:
        return cls(SendStatus.DELIVERED, detail)

    @classmethod
    def transient(cls, detail: str, retry_after_s: float | None = None) -> SendResult:
        return cls(SendStatus.TRANSIENT, detail, retry_after_s)

    @classmethod
    def permanent(cls, detail: str) -> SendResult:
        return cls(SendStatus.PERMANENT, detail)


class ChannelSender(Protocol):
    """Sends a notice over one kind of channel (``kind`` matches the channel's ``kind`` in the site file)."""

    @property
    def kind(self) -> str:
        """The channel kind this sender serves: webpush, wecom, dingtalk or sms."""
        ...

    def send(self, person: Person, channel: PushChannel, notice: TaskNotice) -> SendResult:
        """One try; never raises for a failure the service or network reports (it returns a result)."""
        ...


def http_status_result(service: str, status_code: int, text: str, retry_after: str | None) -> SendResult:
    """Classify a non-success HTTP status: 408, 425, 429 and 5xx are transient, other statuses permanent."""
    snippet = " ".join(text.split())[:200]
    detail = f"{service} answered HTTP {status_code}" + (f": {snippet}" if snippet else "")
    if status_code in (408, 425, 429) or status_code >= 500:
        return SendResult.transient(detail, parse_retry_after(retry_after))
    return SendResult.permanent(detail)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds; None for absent, HTTP-date or malformed values."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


@dataclass(frozen=True)
class ChannelContext:
    """What a channel's builder may use: the shared HTTP client (owned by the caller), the site's time zone,
    the clock, the environment secrets are read from, and the Web Push subscription store's callables."""

    client: httpx.Client
    tz: tzinfo
    clock: Callable[[], datetime]
    env: Mapping[str, str]
    subscriptions_for: Callable[[str], Sequence[WebPushSubscription]] | None = None
    on_gone: Callable[[WebPushSubscription], None] | None = None
    on_ok: Callable[[WebPushSubscription], None] | None = None

    def secret(self, name: str, what: str) -> str:
        """The value of environment variable ``name``; :class:`PushConfigError` when unset or blank."""
        value = self.env.get(name, "")
        if not value.strip():
            raise PushConfigError(f"{what}: environment variable {name} is not set (or empty)")
        return value.strip()


SettingsT = TypeVar("SettingsT", bound=ChannelSettings)


@dataclass(frozen=True)
class ChannelPlugin(Generic[SettingsT]):
    """One channel kind: its settings section model and how to build its sender from that section.

    ``build`` raises :class:`PushConfigError` when the section cannot be used (a secret missing from the
    environment), so that a misconfigured process stops at start rather than at the first case.
    """

    kind: str
    settings_model: type[SettingsT]
    build: Callable[[SettingsT, ChannelContext], ChannelSender]

    def __post_init__(self) -> None:
        declared = self.settings_model.model_fields["kind"].default
        if declared != self.kind:
            raise ValueError(
                f"channel plugin {self.kind!r}: its settings model {self.settings_model.__name__} "
                f"declares kind {declared!r}"
            )
