"""Tables for what dispatch refers to, copied from the site configuration by :mod:`site_sync`.

Rows are keyed by the configuration's own ids, so a case can name the camera, grid or person it concerns.
Nothing here is ever deleted by a sync: a camera, person, grid, department or event class that leaves the
configuration is marked ``active = False``, because cases filed earlier still refer to it. Roster shifts
are the exception: nothing refers to a shift, so a sync replaces them.

The running dispatcher works from the site configuration it loaded; from these tables it reads the names of
event classes (and their departments) that are no longer configured, for the cases filed under them (see
:mod:`dispatch.class_names`).
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from dispatch.persistence.base import ID_LENGTH, Base

NAME_LENGTH = 200
"""Longest display name (site, grid, camera, person, department, event class)."""

JSONDocument: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
"""A JSON document column: ``jsonb`` on PostgreSQL (indexable, compared by value), ``JSON`` text on SQLite."""


class GridLevel(enum.StrEnum):
    """Level of a grid in the town → community → micro-grid hierarchy (the configuration's values)."""

    TOWN = "town"
    COMMUNITY = "community"
    MICRO_GRID = "micro_grid"


class PersonRole(enum.StrEnum):
    """What a person does in the dispatch workflow (the configuration's values)."""

    WORKER = "worker"
    LEADER = "leader"
    DEPARTMENT = "department"
    OPERATOR = "operator"


def _enum_column_type(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: ``VARCHAR`` plus a named check constraint, storing the members' values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class SiteScoped(Base):
    """Columns of every configuration-derived row: the site it belongs to, whether it is still configured."""

    __abstract__ = True

    site_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Site(Base):
    """One deployment (a town) whose configuration was synchronised into this database."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    timezone: Mapped[str] = mapped_column(String(64), comment="IANA time zone name, e.g. Asia/Shanghai")


class Grid(SiteScoped):
    """A town, community (村居) or micro-grid (微网格); every level but the town has a parent grid."""

    __tablename__ = "grids"
    __table_args__ = (
        CheckConstraint(
            "(level = 'town' AND parent_id IS NULL) OR (level <> 'town' AND parent_id IS NOT NULL)",
            name="parent_unless_town",
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    level: Mapped[GridLevel] = mapped_column(_enum_column_type(GridLevel, "grid_level"))
    parent_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("grids.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, comment="GeoJSON geometry")


class Department(SiteScoped):
    """A line department (城管, 市场监管, ...) that escalated cases go to."""

    __tablename__ = "departments"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    phone: Mapped[str | None] = mapped_column(String(32), comment="duty phone")


class Camera(SiteScoped):
    """A street camera; its incidents are dispatched to the people of its micro-grid."""

    __tablename__ = "cameras"
    __table_args__ = (
        CheckConstraint("lat >= -90 AND lat <= 90", name="lat_range"),
        CheckConstraint("lon >= -180 AND lon <= 180", name="lon_range"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    micro_grid_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("grids.id", ondelete="RESTRICT"), index=True
    )
    lat: Mapped[float] = mapped_column(Float, comment="WGS-84 latitude, degrees")
    lon: Mapped[float] = mapped_column(Float, comment="WGS-84 longitude, degrees")
    source_kind: Mapped[str] = mapped_column(String(32), comment="rtsp, http_snapshot, file, dir, ...")
    zones: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONDocument, comment="the camera's zones as configured: id, name, polygon, rules"
    )


class Person(SiteScoped):
    """A grid worker, micro-grid leader, department contact or operations-centre operator."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    role: Mapped[PersonRole] = mapped_column(_enum_column_type(PersonRole, "person_role"))
    grid_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("grids.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    channels: Mapped[list[Any]] = mapped_column(
        JSONDocument, comment="push channels to reach this person, as configured"
    )


class RosterShift(Base):
    """One person on duty for one grid on one weekday, from ``start_minute`` to ``end_minute`` (local time).

    A configured shift that runs past midnight is stored as two rows, one on each weekday, so that "who is on
    duty in grid G on weekday D at minute M" is a plain range query.
    """

    __tablename__ = "roster_shifts"
    __table_args__ = (
        UniqueConstraint("person_id", "grid_id", "weekday", "start_minute", "end_minute"),
        CheckConstraint("weekday >= 1 AND weekday <= 7", name="iso_weekday"),
        CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440", name="minute_range"
        ),
        Index("ix_roster_shifts_grid_id_weekday", "grid_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    grid_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("grids.id", ondelete="RESTRICT"))
    weekday: Mapped[int] = mapped_column(Integer, comment="ISO weekday: 1 = Monday ... 7 = Sunday")
    start_minute: Mapped[int] = mapped_column(Integer, comment="minutes after local midnight, inclusive")
    end_minute: Mapped[int] = mapped_column(Integer, comment="minutes after local midnight, exclusive")


class EventClass(SiteScoped):
    """A standard event class (数字城管 code): the rule kinds it covers, its department, limits and policies.

    Limits are in working hours of the site calendar; ``review``, ``on_end_before_handling`` and
    ``escalation`` hold the configuration's values (see :mod:`gridwatch.config.models_classes`).
    """

    __tablename__ = "event_classes"
    __table_args__ = (
        CheckConstraint(
            "accept_within_h > 0 AND handle_within_h > 0 AND remind_before_h >= 0", name="limits_range"
        ),
    )

    code: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    department_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    accept_within_h: Mapped[float] = mapped_column(Float, comment="working hours to accept a dispatched case")
    handle_within_h: Mapped[float] = mapped_column(Float, comment="working hours from dispatch to handled")
    remind_before_h: Mapped[float] = mapped_column(
        Float, comment="working hours before the handling deadline to remind the assignee"
    )
    rule_kinds: Mapped[list[str]] = mapped_column(
        JSONDocument, comment="zone rule kinds whose incidents are this class"
    )
    review: Mapped[str] = mapped_column(String(16), comment="auto or operator")
    on_end_before_handling: Mapped[str] = mapped_column(String(16), comment="close or keep")
    escalation: Mapped[list[str]] = mapped_column(
        JSONDocument, comment="who gets the case in turn: worker, leader, department"
    )
