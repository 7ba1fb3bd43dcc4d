"""The contract between the dispatch core and push: what to tell a person, and what became of it.

The dispatch core builds a :class:`TaskNotice` (see :func:`dispatch.push.wording.compose_notice` for the
Chinese wording) and hands it with the recipient's :class:`~gridwatch.config.Person` and the
:class:`DeliveryProgress` so far to a :class:`Notifier`. The notifier makes the tries that are due now and
answers a :class:`DeliveryStep`: finished, with the :class:`DeliveryOutcome` the core records on the case
(:meth:`DeliveryOutcome.as_record` gives a JSON-ready form, :meth:`DeliveryOutcome.from_record` reads it
back), or to be tried again after a wait, which the core stores as the delivery's next attempt time. Nothing
sleeps: a wait between tries is a scheduled attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from gridwatch.config import Person


class NoticeKind(StrEnum):
    """Why a person is told about a case."""

    NEW_TASK = "new_task"  # 新任务: the case was dispatched to the person
    REMINDER = "reminder"  # 催办: the handling deadline is near
    ESCALATED = "escalated"  # 上报/升级: the case came up from someone below
    RETURNED = "returned"  # 退回: the case came back (rework, rejected feedback)


def _http_url(value: str, what: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{what} must be an absolute http(s) URL, got {value!r}")


def _aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} {moment.isoformat()} has no timezone; pass an aware datetime")


@dataclass(frozen=True)
class TaskNotice:
    """One message about one case to one person; every channel renders it in its own format.

    ``kind`` is one of :class:`NoticeKind` (a plain string such as ``"new_task"`` is accepted and normalised).
    """

    case_id: str
    recipient_id: str
    kind: str
    title: str
    body: str
    url: str
    class_code: str
    evidence_url: str | None = None
    deadline_at: datetime | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", NoticeKind(self.kind))
        except ValueError:
            known = ", ".join(kind.value for kind in NoticeKind)
            raise ValueError(f"notice kind {self.kind!r} is not one of {known}") from None
        for name in ("case_id", "recipient_id", "title", "body", "class_code"):
            if not getattr(self, name).strip():
                raise ValueError(f"notice {name} is empty (case {self.case_id!r})")
        _http_url(self.url, "notice url")
        if self.evidence_url is not None:
            _http_url(self.evidence_url, "notice evidence_url")
        if self.deadline_at is not None:
            _aware(self.deadline_at, "notice deadline_at")

    @property
    def notice_kind(self) -> NoticeKind:
        """``kind`` as the enum."""
        return NoticeKind(self.kind)


@dataclass(frozen=True)
class DeliveryAttempt:
    """One try on one channel: ``ok`` when the channel accepted the message, ``detail`` says what happened."""

    channel: str
    ok: bool
    detail: str
    at: datetime

    def as_record(self) -> dict[str, Any]:
        """A JSON-ready dict (``at`` in ISO 8601)."""
        return {"channel": self.channel, "ok": self.ok, "detail": self.detail, "at": self.at.isoformat()}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> DeliveryAttempt:
        """Read back what :meth:`as_record` wrote."""
        return cls(
            channel=str(record["channel"]),
            ok=bool(record["ok"]),
            detail=str(record["detail"]),
            at=datetime.fromisoformat(str(record["at"])),
        )


@dataclass(frozen=True)
class DeliveryOutcome:
    """What became of one notice: delivered on ``channel`` (None when none took it), with every attempt."""

    recipient_id: str
    delivered: bool
    channel: str | None
    attempts: tuple[DeliveryAttempt, ...] = field(default=())

    @property
    def detail(self) -> str:
        """One line for logs and the case history: the last attempt's detail, or why nothing was tried."""
        if not self.attempts:
            return "no attempt was made"
        return self.attempts[-1].detail

    def as_record(self) -> dict[str, Any]:
        """A JSON-ready dict to store on the case."""
        return {
            "recipient_id": self.recipient_id,
            "delivered": self.delivered,
            "channel": self.channel,
            "attempts": [attempt.as_record() for attempt in self.attempts],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> DeliveryOutcome:
        """Read back what :meth:`as_record` wrote."""
        channel = record.get("channel")
        return cls(
            recipient_id=str(record["recipient_id"]),
            delivered=bool(record["delivered"]),
            channel=None if channel is None else str(channel),
            attempts=tuple(DeliveryAttempt.from_record(item) for item in record.get("attempts", ())),
        )


@dataclass(frozen=True)
class DeliveryProgress:
    """Where a delivery stands between two attempts: the channel (index into the person's channels) the next
    try uses, the tries already made on it, and every attempt so far."""

    channel_index: int = 0
    channel_tries: int = 0
    attempts: tuple[DeliveryAttempt, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.channel_index < 0 or self.channel_tries < 0:
            raise ValueError(
                f"delivery progress cannot be negative: channel {self.channel_index}, "
                f"tries {self.channel_tries}"
            )


@dataclass(frozen=True)
class DeliveryStep:
    """What one call of :meth:`Notifier.attempt` came to: ``outcome`` when the delivery is finished
    (delivered, or every channel failed), else the ``progress`` to resume from in ``retry_in_s`` seconds."""

    outcome: DeliveryOutcome | None
    progress: DeliveryProgress
    retry_in_s: float = 0.0

    @classmethod
    def finished(cls, outcome: DeliveryOutcome) -> DeliveryStep:
        return cls(outcome, DeliveryProgress(attempts=outcome.attempts))

    @classmethod
    def retry(cls, progress: DeliveryProgress, in_s: float) -> DeliveryStep:
        if in_s < 0:
            raise ValueError(f"a retry cannot be due in the past ({in_s} s)")
        return cls(None, progress, in_s)


class Notifier(Protocol):
    """Delivers a notice to a person over the first of their channels that takes it, one step at a time."""

    def attempt(self, person: Person, notice: TaskNotice, progress: DeliveryProgress) -> DeliveryStep:
        """Make the tries due now, from ``progress`` on; never sleeps, never raises for a failed delivery."""
        ...
