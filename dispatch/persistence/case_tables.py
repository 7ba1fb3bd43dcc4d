"""Tables of cases (案卷): the case itself, its history, timers, push deliveries, photos, ratings, API tokens.

- ``cases`` holds one row per incident (``UNIQUE(incident_id)``: however often an incident message is
  redelivered, it files one case) with its state, assignee, deadlines and the latest evidence.
- ``case_history`` is the audit trail and, through ``published_at``, the outbox of ``gw.case-events``.
- ``case_timers`` are the persisted deadlines (accept, handle, remind, auto-close); fired ones are kept.
- ``deliveries`` are task pushes: one row per notice that must reach someone, written in the same
  transaction as the change that causes it (``UNIQUE(dedupe_key)``), sent afterwards, outcome kept.
- ``photos`` are stored on disk under the data directory; the row keeps the path, hash and size.
- ``ratings`` keep every score; ``link_nonce`` is unique, so a resident's signed link works once.
- ``api_tokens`` keep only a SHA-256 of each token.

Ids of cameras, grids, people and classes are the configuration's; they are not foreign keys, because a case
outlives the configuration it was filed under (site rows are only ever deactivated, never deleted).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from dispatch.domain.states import CaseState, Resolution
from dispatch.persistence.base import ID_LENGTH, Base
from dispatch.persistence.utc_datetime import UtcDateTime
from gridwatch.messages import CaseEventKind

JsonDocument: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
URL_LENGTH = 2048


class TimerKind(enum.StrEnum):
    """What a timer does when it comes due (if the case still needs it)."""

    ACCEPT_DUE = "accept_due"  # not accepted in time: escalate one level
    HANDLE_DUE = "handle_due"  # not handled in time: escalate to the last level (the line department)
    REMIND = "remind"  # the handling deadline is near: remind the assignee
    AUTO_CLOSE = "auto_close"  # verified long enough without being closed: close


class DeliveryStatus(enum.StrEnum):
    """Where one push stands."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class EscalationLevelValue(enum.StrEnum):
    """Who holds a case: mirrors :class:`gridwatch.config.EscalationLevel`."""

    WORKER = "worker"
    LEADER = "leader"
    DEPARTMENT = "department"


def _enum(enum_class: type[enum.StrEnum], name: str, length: int = 16) -> Enum:
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class CaseRecord(Base):
    """One case (案卷), filed from one incident."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_state_micro_grid_id", "state", "micro_grid_id"),
        CheckConstraint("object_count >= 0", name="object_count_range"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    incident_id: Mapped[str | None] = mapped_column(
        String(128), unique=True, comment="the incident it was filed from; one case per incident"
    )
    class_code: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    micro_grid_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    community_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    place: Mapped[str] = mapped_column(String(400), comment="camera and zone names, for people")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    state: Mapped[CaseState] = mapped_column(_enum(CaseState, "case_state"))
    resolution: Mapped[Resolution | None] = mapped_column(_enum(Resolution, "case_resolution"))
    assignee_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    assignee_level: Mapped[EscalationLevelValue | None] = mapped_column(
        _enum(EscalationLevelValue, "assignee_level")
    )
    department_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), index=True, comment="set once the case reaches a line department"
    )
    assignment_seq: Mapped[int] = mapped_column(
        Integer, default=0, comment="+1 on every dispatch, transfer and escalation; timers carry it"
    )
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    handled_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    handled_note: Mapped[str | None] = mapped_column(Text)

    evidence_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    first_evidence_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    dwell_s: Mapped[float] = mapped_column(Float)
    object_count: Mapped[int] = mapped_column(Integer)
    boxes: Mapped[list[list[float]]] = mapped_column(JsonDocument)
    sighting_evidence_url: Mapped[str | None] = mapped_column(
        String(URL_LENGTH), comment="snapshot of the latest revision that had boxes (an end has none)"
    )
    sighting_boxes: Mapped[list[list[float]] | None] = mapped_column(
        JsonDocument, comment="that revision's boxes, in the camera's native pixels"
    )
    model_id: Mapped[str | None] = mapped_column(
        String(128), comment="the model whose detections that revision reflects"
    )
    sighting_at: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="that revision's frame time")
    incident_revision: Mapped[int] = mapped_column(Integer, comment="highest incident revision applied")
    incident_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    incident_observed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    incident_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    filed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accept_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handle_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, comment="optimistic lock: concurrent changes fail")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CaseHistoryRecord(Base):
    """One thing that happened to a case: the audit trail, and the outbox of ``gw.case-events``."""

    __tablename__ = "case_history"
    __table_args__ = (Index("ix_case_history_case_id_seq", "case_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    case_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[CaseEventKind] = mapped_column(_enum(CaseEventKind, "case_event_kind"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(ID_LENGTH))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    photo_ids: Mapped[list[str]] = mapped_column(JsonDocument)
    published_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, index=True, comment="when gw.case-events acknowledged it; NULL: still to publish"
    )


class CaseTimerRecord(Base):
    """A deadline of a case; fired (or found no longer needed) once, in the transaction that acts on it."""

    __tablename__ = "case_timers"
    __table_args__ = (
        Index("ix_case_timers_fired_at_due_at", "fired_at", "due_at"),
        Index("uq_case_timers_case_kind_seq", "case_id", "kind", "assignment_seq", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[TimerKind] = mapped_column(_enum(TimerKind, "timer_kind"))
    assignment_seq: Mapped[int] = mapped_column(Integer, comment="the assignment the timer was set for")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(200), comment="what firing did, or why nothing")


class DeliveryRecord(Base):
    """One push of one notice to one person, from the moment it is owed until its outcome is known.

    Between tries it is ``pending`` with ``next_attempt_at`` set (null: due at once); ``channel_index``,
    ``channel_tries`` and ``attempt_log`` say where the delivery resumes (see :mod:`dispatch.deliveries`).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_status_id", "status", "id"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(
        String(300), unique=True, comment="case, kind, recipient and assignment: one push per cause"
    )
    case_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"))
    recipient_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    kind: Mapped[str] = mapped_column(String(16), comment="new_task, reminder, escalated or returned")
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    channel: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    next_attempt_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="when the next try is due (a scheduled retry); null: at once"
    )
    channel_index: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), comment="the person's channel the next try uses"
    )
    channel_tries: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), comment="tries already made on that channel"
    )
    attempt_log: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JsonDocument, comment="every try so far: channel, ok, detail, at"
    )


class PhotoRecord(Base):
    """A photo uploaded for a case (the file lives under the data directory)."""

    __tablename__ = "photos"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    uploaded_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    path: Mapped[str] = mapped_column(String(500), comment="relative to the photo directory")
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class RatingRecord(Base):
    """A rating 1-5 of a case, by a leader or operator, or by a resident through a signed link."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score >= 1 AND score <= 5", name="score_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    rater_kind: Mapped[str] = mapped_column(String(16), comment="leader, operator or resident")
    rater_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), comment="person id; NULL for residents")
    link_nonce: Mapped[str | None] = mapped_column(
        String(64), unique=True, comment="nonce of the resident link used: a link rates once"
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiTokenRecord(Base):
    """An API token of a person; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
