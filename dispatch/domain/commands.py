"""Commands: one small frozen dataclass per thing that can be asked of dispatch; one handler each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dispatch.domain.actors import SYSTEM, Actor
from gridwatch.messages import Incident

if TYPE_CHECKING:
    from dispatch.photos import PhotoStore


@dataclass(frozen=True)
class Command:
    """Base of every command."""


@dataclass(frozen=True)
class ReceiveIncident(Command):
    """An incident message from ``gw.incidents`` (new, update or end), possibly a redelivery."""

    incident: Incident


@dataclass(frozen=True)
class CaseCommand(Command):
    """A command about one case by one actor."""

    case_id: str
    actor: Actor


@dataclass(frozen=True)
class ConfirmCase(CaseCommand):
    """An operator confirms a filed case as real: it is dispatched."""

    note: str | None = None


@dataclass(frozen=True)
class RejectCase(CaseCommand):
    """An operator (or the leader) rejects the case as a false alarm."""

    reason: str


@dataclass(frozen=True)
class ReportNothingThere(CaseCommand):
    """The assignee, on the spot, finds nothing of what the case reports: a false alarm."""

    note: str | None = None


@dataclass(frozen=True)
class AcceptCase(CaseCommand):
    """The assignee takes the task."""


@dataclass(frozen=True)
class AddPhoto(CaseCommand):
    """The assignee (or a leader or operator) adds a photo to an open case, as proof of handling: ``data``
    is the upload as received, checked to be a JPEG or PNG before it is written to ``store``."""

    data: bytes = field(repr=False)
    store: PhotoStore


@dataclass(frozen=True)
class HandleCase(CaseCommand):
    """The assignee reports the task done, with a note and at least one photo uploaded before."""

    note: str
    photo_ids: tuple[str, ...]


@dataclass(frozen=True)
class VerifyCase(CaseCommand):
    """The case is checked done (by the camera: the system actor; or by hand: a leader or operator)."""

    note: str | None = None


@dataclass(frozen=True)
class ReturnCase(CaseCommand):
    """The case goes back to its assignee for rework, with fresh evidence when the camera saw it."""

    note: str
    evidence_url: str | None = None


@dataclass(frozen=True)
class CloseCase(CaseCommand):
    """A verified (or rated) case is closed."""

    note: str | None = None


@dataclass(frozen=True)
class ReopenCase(CaseCommand):
    """A verified, rated or closed case goes back to its assignee: the problem came back."""

    note: str


@dataclass(frozen=True)
class TransferCase(CaseCommand):
    """A leader or operator gives the task to another person."""

    to_person_id: str
    note: str | None = None


@dataclass(frozen=True)
class EscalateCase(CaseCommand):
    """The task goes one level up its class's escalation chain (worker → leader → department)."""

    note: str | None = None


@dataclass(frozen=True)
class RateCase(CaseCommand):
    """A rating 1-5 with a comment, by a leader or operator (``link_nonce`` None), or a resident by a link."""

    score: int
    comment: str | None = None
    link_nonce: str | None = None


@dataclass(frozen=True)
class FireTimer(Command):
    """A persisted timer came due: escalate, remind or close, if the case still needs it."""

    timer_id: int
    actor: Actor = SYSTEM
