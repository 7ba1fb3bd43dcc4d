"""Drop the site tables nothing reads: ``sites`` and ``roster_shifts``.

A case needs neither once it was filed: the running site configuration routes new cases, and the roster's
choice is recorded on the case (assignee) and in its history. The rows that cases refer to (departments,
grids, cameras, people, event classes) stay, read for the names of what left the configuration; their
``site_id`` stays as a plain column (a sync still scopes itself by it) without the foreign key to ``sites``.

Downgrade recreates both tables: ``sites`` with one row per ``site_id`` found in the site tables (named by
its id, time zone UTC) so that the foreign keys hold, and ``roster_shifts`` empty; the next
``gridwatch db sync-site`` of that version writes the site's name, time zone and rosters again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
SITE_SCOPED = ("departments", "grids", "cameras", "people", "event_classes")
"""The tables whose ``site_id`` referred to ``sites``."""


def _site_fk_name(table: str) -> str:
    return f"fk_{table}_site_id_sites"


def upgrade() -> None:
    op.drop_table("roster_shifts")  # its indexes and constraints go with it
    for table in SITE_SCOPED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(_site_fk_name(table)), type_="foreignkey")
    op.drop_table("sites")


def downgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "timezone",
            sa.String(length=64),
            nullable=False,
            comment="IANA time zone name, e.g. Asia/Shanghai",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    scoped = " UNION ".join(f"SELECT site_id FROM {table}" for table in SITE_SCOPED)
    op.execute(f"INSERT INTO sites (id, name, timezone) SELECT site_id, site_id, 'UTC' FROM ({scoped}) AS s")
    for table in SITE_SCOPED:
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(
                op.f(_site_fk_name(table)), "sites", ["site_id"], ["id"], ondelete="RESTRICT"
            )
    op.create_table(
        "roster_shifts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", ID, nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("grid_id", ID, nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False, comment="ISO weekday: 1 = Monday ... 7 = Sunday"),
        sa.Column(
            "start_minute", sa.Integer(), nullable=False, comment="minutes after local midnight, inclusive"
        ),
        sa.Column(
            "end_minute", sa.Integer(), nullable=False, comment="minutes after local midnight, exclusive"
        ),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
            name=op.f("ck_roster_shifts_minute_range"),
        ),
        sa.CheckConstraint("weekday >= 1 AND weekday <= 7", name=op.f("ck_roster_shifts_iso_weekday")),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grids.id"], name=op.f("fk_roster_shifts_grid_id_grids"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_roster_shifts_person_id_people"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_roster_shifts_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_shifts")),
        sa.UniqueConstraint(
            "person_id",
            "grid_id",
            "weekday",
            "start_minute",
            "end_minute",
            name=op.f("uq_roster_shifts_person_id_grid_id_weekday_start_minute_end_minute"),
        ),
    )
    op.create_index("ix_roster_shifts_grid_id_weekday", "roster_shifts", ["grid_id", "weekday"])
    op.create_index(op.f("ix_roster_shifts_person_id"), "roster_shifts", ["person_id"])
    op.create_index(op.f("ix_roster_shifts_site_id"), "roster_shifts", ["site_id"])
