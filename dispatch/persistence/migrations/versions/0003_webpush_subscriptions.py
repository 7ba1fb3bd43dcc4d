"""Web Push subscriptions of the phone page.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
KEY_COMMENT = "the browser's P-256 public key, base64url"
AUTH_COMMENT = "the browser's 16-byte auth secret, base64url"
OK_COMMENT = "when a push service last accepted a message for it"


def upgrade() -> None:
    op.create_table(
        "webpush_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=1024), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False, comment=KEY_COMMENT),
        sa.Column("auth", sa.String(length=64), nullable=False, comment=AUTH_COMMENT),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_ok_at", UTC_TIME, nullable=True, comment=OK_COMMENT),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webpush_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_webpush_subscriptions_endpoint")),
    )
    op.create_index(op.f("ix_webpush_subscriptions_person_id"), "webpush_subscriptions", ["person_id"])


def downgrade() -> None:
    op.drop_table("webpush_subscriptions")
