"""Site tables: sites, grids, departments, cameras, people, roster shifts, event classes.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
NAME = sa.String(length=200)


def _json_document() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _site_scoped() -> list[sa.Column[object]]:
    """The columns of :class:`dispatch.persistence.site_tables.SiteScoped`."""
    return [
        sa.Column("site_id", ID, nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
    ]


def _site_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["site_id"], ["sites.id"], name=op.f(f"fk_{table}_site_id_sites"), ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column(
            "timezone",
            sa.String(length=64),
            nullable=False,
            comment="IANA time zone name, e.g. Asia/Shanghai",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )

    op.create_table(
        "departments",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True, comment="duty phone"),
        *_site_scoped(),
        _site_fk("departments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
    )
    op.create_index(op.f("ix_departments_site_id"), "departments", ["site_id"])

    op.create_table(
        "grids",
        sa.Column("id", ID, nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "town",
                "community",
                "micro_grid",
                name="grid_level",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", ID, nullable=True),
        sa.Column("name", NAME, nullable=False),
        sa.Column("boundary", _json_document(), nullable=True, comment="GeoJSON geometry"),
        *_site_scoped(),
        sa.CheckConstraint(
            "(level = 'town' AND parent_id IS NULL) OR (level <> 'town' AND parent_id IS NOT NULL)",
            name=op.f("ck_grids_parent_unless_town"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["grids.id"], name=op.f("fk_grids_parent_id_grids"), ondelete="RESTRICT"
        ),
        _site_fk("grids"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grids")),
    )
    op.create_index(op.f("ix_grids_parent_id"), "grids", ["parent_id"])
    op.create_index(op.f("ix_grids_site_id"), "grids", ["site_id"])

    op.create_table(
        "cameras",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("micro_grid_id", ID, nullable=False),
        sa.Column("lat", sa.Float(), nullable=False, comment="WGS-84 latitude, degrees"),
        sa.Column("lon", sa.Float(), nullable=False, comment="WGS-84 longitude, degrees"),
        sa.Column(
            "source_kind", sa.String(length=32), nullable=False, comment="rtsp, http_snapshot, file, dir, ..."
        ),
        sa.Column(
            "zones",
            _json_document(),
            nullable=False,
            comment="the camera's zones as configured: id, name, polygon, rules",
        ),
        *_site_scoped(),
        sa.CheckConstraint("lat >= -90 AND lat <= 90", name=op.f("ck_cameras_lat_range")),
        sa.CheckConstraint("lon >= -180 AND lon <= 180", name=op.f("ck_cameras_lon_range")),
        sa.ForeignKeyConstraint(
            ["micro_grid_id"], ["grids.id"], name=op.f("fk_cameras_micro_grid_id_grids"), ondelete="RESTRICT"
        ),
        _site_fk("cameras"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cameras")),
    )
    op.create_index(op.f("ix_cameras_micro_grid_id"), "cameras", ["micro_grid_id"])
    op.create_index(op.f("ix_cameras_site_id"), "cameras", ["site_id"])

    op.create_table(
        "event_classes",
        sa.Column("code", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("department_id", ID, nullable=False),
        sa.Column(
            "accept_within_h", sa.Float(), nullable=False, comment="working hours to accept a dispatched case"
        ),
        sa.Column(
            "handle_within_h", sa.Float(), nullable=False, comment="working hours from dispatch to handled"
        ),
        sa.Column(
            "remind_before_h",
            sa.Float(),
            nullable=False,
            comment="working hours before the handling deadline to remind the assignee",
        ),
        sa.Column(
            "rule_kinds",
            _json_document(),
            nullable=False,
            comment="zone rule kinds whose incidents are this class",
        ),
        sa.Column("review", sa.String(length=16), nullable=False, comment="auto or operator"),
        sa.Column("on_end_before_handling", sa.String(length=16), nullable=False, comment="close or keep"),
        sa.Column(
            "escalation",
            _json_document(),
            nullable=False,
            comment="who gets the case in turn: worker, leader, department",
        ),
        *_site_scoped(),
        sa.CheckConstraint(
            "accept_within_h > 0 AND handle_within_h > 0 AND remind_before_h >= 0",
            name=op.f("ck_event_classes_limits_range"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_event_classes_department_id_departments"),
            ondelete="RESTRICT",
        ),
        _site_fk("event_classes"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_event_classes")),
    )
    op.create_index(op.f("ix_event_classes_department_id"), "event_classes", ["department_id"])
    op.create_index(op.f("ix_event_classes_site_id"), "event_classes", ["site_id"])

    op.create_table(
        "people",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "worker",
                "leader",
                "department",
                "operator",
                name="person_role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("grid_id", ID, nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column(
            "channels",
            _json_document(),
            nullable=False,
            comment="push channels to reach this person, as configured",
        ),
        *_site_scoped(),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_people_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grids.id"], name=op.f("fk_people_grid_id_grids"), ondelete="RESTRICT"
        ),
        _site_fk("people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_department_id"), "people", ["department_id"])
    op.create_index(op.f("ix_people_grid_id"), "people", ["grid_id"])
    op.create_index(op.f("ix_people_site_id"), "people", ["site_id"])

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
        _site_fk("roster_shifts"),
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


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it, on SQLite and PostgreSQL alike.
    for table in ("roster_shifts", "people", "event_classes", "cameras", "grids", "departments", "sites"):
        op.drop_table(table)
