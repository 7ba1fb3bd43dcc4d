"""Deliveries are tried on a schedule: the next attempt time and where the delivery resumes.

A transient failure no longer sleeps in the worker: the delivery goes back to ``pending`` with
``next_attempt_at`` set, and the channel, tries and attempts so far kept on the row.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column(
                "next_attempt_at",
                UTC_TIME,
                nullable=True,
                comment="when the next try is due (a scheduled retry); null: at once",
            )
        )
        batch.add_column(
            sa.Column(
                "channel_index",
                sa.Integer(),
                server_default=sa.text("0"),
                nullable=False,
                comment="the person's channel the next try uses",
            )
        )
        batch.add_column(
            sa.Column(
                "channel_tries",
                sa.Integer(),
                server_default=sa.text("0"),
                nullable=False,
                comment="tries already made on that channel",
            )
        )
        batch.add_column(
            sa.Column(
                "attempt_log",
                JSON_DOCUMENT,
                nullable=True,
                comment="every try so far: channel, ok, detail, at",
            )
        )
    op.create_index(op.f("ix_deliveries_status_next_attempt_at"), "deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_status_next_attempt_at"), table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("attempt_log")
        batch.drop_column("channel_tries")
        batch.drop_column("channel_index")
        batch.drop_column("next_attempt_at")
