"""Labelled examples from people's decisions, and what a case needs to make one.

``labels``: one row per case that was rejected, reported "nothing there" or verified (see
:mod:`dispatch.persistence.label_tables`). ``cases`` gains the latest sighting (the snapshot and boxes of the
latest incident revision that had boxes: an ``end`` has none) and the model that made it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
URL = sa.String(length=2048)
UTC_TIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column(
                "sighting_evidence_url",
                URL,
                nullable=True,
                comment="snapshot of the latest revision that had boxes (an end has none)",
            )
        )
        batch.add_column(
            sa.Column(
                "sighting_boxes",
                JSON_DOCUMENT,
                nullable=True,
                comment="that revision's boxes, in the camera's native pixels",
            )
        )
        batch.add_column(
            sa.Column(
                "model_id",
                sa.String(length=128),
                nullable=True,
                comment="the model whose detections that revision reflects",
            )
        )
        batch.add_column(
            sa.Column("sighting_at", UTC_TIME, nullable=True, comment="that revision's frame time")
        )
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False, comment="one example per case"),
        sa.Column("site_id", ID, nullable=False),
        sa.Column("polarity", _enum("label_polarity", "positive", "negative"), nullable=False),
        sa.Column("source", _enum("label_source", "rejected", "nothing_there", "verified"), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("class_code", ID, nullable=False),
        sa.Column("camera_id", ID, nullable=False),
        sa.Column("zone_id", ID, nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=True, comment="the model that saw the boxes"),
        sa.Column(
            "frame_url",
            URL,
            nullable=True,
            comment="the clean frame (no drawings); null: the detector kept none",
        ),
        sa.Column("evidence_url", URL, nullable=True, comment="the annotated snapshot"),
        sa.Column("boxes", JSON_DOCUMENT, nullable=False, comment="in the camera's native pixels"),
        sa.Column(
            "frame_width", sa.Integer(), nullable=False, comment="the camera's native width: boxes' frame"
        ),
        sa.Column("frame_height", sa.Integer(), nullable=False),
        sa.Column("captured_at", UTC_TIME, nullable=False, comment="time of the frame the boxes are on"),
        sa.Column("dwell_s", sa.Float(), nullable=False),
        sa.Column("labelled_at", UTC_TIME, nullable=False),
        sa.Column("actor", ID, nullable=False, comment="who decided"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("case_id", name=op.f("uq_labels_case_id")),
    )
    op.create_index("ix_labels_camera_id_captured_at", "labels", ["camera_id", "captured_at"])


def downgrade() -> None:
    op.drop_index("ix_labels_camera_id_captured_at", table_name="labels")
    op.drop_table("labels")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("sighting_at")
        batch.drop_column("model_id")
        batch.drop_column("sighting_boxes")
        batch.drop_column("sighting_evidence_url")
