"""Cases: cases (one per incident), case history (the outbox of gw.case-events), timers, deliveries,
photos, ratings, API tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UTC_TIME = sa.DateTime(timezone=True)


def _json_document() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_api_tokens_person_id"), "api_tokens", ["person_id"])

    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column(
            "incident_id",
            sa.String(length=128),
            nullable=True,
            comment="the incident it was filed from; one case per incident",
        ),
        sa.Column("class_code", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("micro_grid_id", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.String(length=64), nullable=False),
        sa.Column(
            "place", sa.String(length=400), nullable=False, comment="camera and zone names, for people"
        ),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "filed",
                "dispatched",
                "accepted",
                "handled",
                "returned",
                "verified",
                "rated",
                "closed",
                "rejected",
                name="case_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "resolution",
            sa.Enum(
                "handled",
                "self_resolved",
                "false_alarm",
                name="case_resolution",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("assignee_id", sa.String(length=64), nullable=True),
        sa.Column(
            "assignee_level",
            sa.Enum(
                "worker",
                "leader",
                "department",
                name="assignee_level",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column(
            "department_id",
            sa.String(length=64),
            nullable=True,
            comment="set once the case reaches a line department",
        ),
        sa.Column(
            "assignment_seq",
            sa.Integer(),
            nullable=False,
            comment="+1 on every dispatch, transfer and escalation; timers carry it",
        ),
        sa.Column("rework_count", sa.Integer(), nullable=False),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
        sa.Column("handled_note", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.String(length=2048), nullable=True),
        sa.Column("first_evidence_url", sa.String(length=2048), nullable=True),
        sa.Column("dwell_s", sa.Float(), nullable=False),
        sa.Column("object_count", sa.Integer(), nullable=False),
        sa.Column("boxes", _json_document(), nullable=False),
        sa.Column(
            "incident_revision", sa.Integer(), nullable=False, comment="highest incident revision applied"
        ),
        sa.Column("incident_started_at", UTC_TIME, nullable=False),
        sa.Column("incident_observed_at", UTC_TIME, nullable=False),
        sa.Column("incident_ended_at", UTC_TIME, nullable=True),
        sa.Column("filed_at", UTC_TIME, nullable=False),
        sa.Column("dispatched_at", UTC_TIME, nullable=True),
        sa.Column("accepted_at", UTC_TIME, nullable=True),
        sa.Column("handled_at", UTC_TIME, nullable=True),
        sa.Column("verified_at", UTC_TIME, nullable=True),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("accept_due_at", UTC_TIME, nullable=True),
        sa.Column("handle_due_at", UTC_TIME, nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="optimistic lock: concurrent changes fail"
        ),
        sa.CheckConstraint("object_count >= 0", name=op.f("ck_cases_object_count_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_cases_incident_id")),
    )
    op.create_index(op.f("ix_cases_assignee_id"), "cases", ["assignee_id"])
    op.create_index(op.f("ix_cases_camera_id"), "cases", ["camera_id"])
    op.create_index(op.f("ix_cases_class_code"), "cases", ["class_code"])
    op.create_index(op.f("ix_cases_department_id"), "cases", ["department_id"])
    op.create_index(op.f("ix_cases_filed_at"), "cases", ["filed_at"])
    op.create_index(op.f("ix_cases_micro_grid_id"), "cases", ["micro_grid_id"])
    op.create_index(op.f("ix_cases_site_id"), "cases", ["site_id"])
    op.create_index("ix_cases_state_micro_grid_id", "cases", ["state", "micro_grid_id"])

    op.create_table(
        "case_history",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "filed",
                "checked",
                "dispatched",
                "delivered",
                "delivery_failed",
                "accepted",
                "handled",
                "verified",
                "returned",
                "reopened",
                "rated",
                "closed",
                "rejected",
                "transferred",
                "escalated",
                "reminded",
                name="case_event_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", _json_document(), nullable=False),
        sa.Column("photo_ids", _json_document(), nullable=False),
        sa.Column(
            "published_at",
            UTC_TIME,
            nullable=True,
            comment="when gw.case-events acknowledged it; NULL: still to publish",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_history_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_case_history")),
        sa.UniqueConstraint("event_id", name=op.f("uq_case_history_event_id")),
    )
    op.create_index("ix_case_history_case_id_seq", "case_history", ["case_id", "seq"])
    op.create_index(op.f("ix_case_history_published_at"), "case_history", ["published_at"])

    op.create_table(
        "case_timers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "accept_due",
                "handle_due",
                "remind",
                "auto_close",
                name="timer_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "assignment_seq", sa.Integer(), nullable=False, comment="the assignment the timer was set for"
        ),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("fired_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True, comment="what firing did, or why nothing"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_timers_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_timers")),
    )
    op.create_index("ix_case_timers_fired_at_due_at", "case_timers", ["fired_at", "due_at"])
    op.create_index(
        "uq_case_timers_case_kind_seq", "case_timers", ["case_id", "kind", "assignment_seq"], unique=True
    )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "dedupe_key",
            sa.String(length=300),
            nullable=False,
            comment="case, kind, recipient and assignment: one push per cause",
        ),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind", sa.String(length=16), nullable=False, comment="new_task, reminder, escalated or returned"
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "delivered",
                "failed",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("claimed_at", UTC_TIME, nullable=True),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("outcome", _json_document(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_deliveries_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_deliveries_dedupe_key")),
    )
    op.create_index(op.f("ix_deliveries_recipient_id"), "deliveries", ["recipient_id"])
    op.create_index("ix_deliveries_status_id", "deliveries", ["status", "id"])

    op.create_table(
        "photos",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", UTC_TIME, nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False, comment="relative to the photo directory"),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_photos_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    op.create_index(op.f("ix_photos_case_id"), "photos", ["case_id"])

    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rater_kind", sa.String(length=16), nullable=False, comment="leader, operator or resident"),
        sa.Column("rater_id", sa.String(length=64), nullable=True, comment="person id; NULL for residents"),
        sa.Column(
            "link_nonce",
            sa.String(length=64),
            nullable=True,
            comment="nonce of the resident link used: a link rates once",
        ),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.CheckConstraint("score >= 1 AND score <= 5", name=op.f("ck_ratings_score_range")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_ratings_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("link_nonce", name=op.f("uq_ratings_link_nonce")),
    )
    op.create_index(op.f("ix_ratings_case_id"), "ratings", ["case_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it, on SQLite and PostgreSQL alike.
    for table in ("ratings", "photos", "deliveries", "case_timers", "case_history", "cases", "api_tokens"):
        op.drop_table(table)
