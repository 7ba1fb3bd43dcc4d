"""What every channel sender implements, and how one try on a channel turns out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from dispatch.push.notice import TaskNotice
from gridwatch.config import Person, PushChannel


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
