"""Tables for what cases refer to, copied from the site configuration by :mod:`site_sync`.

Rows are keyed by the configuration's own ids, so a case can name the camera, grid, person, event class or
department it concerns. Nothing here is ever deleted by a sync: a row whose object leaves the configuration
is marked ``active = False``, because cases filed earlier still refer to it.

The running dispatcher works from the site configuration it loaded; from these tables it reads the names of
what is no longer configured, for the cases that refer to it (see :mod:`dispatch.site_names`). Each row
carries the id of the site it came from (``site_id``), so that a sync deactivates only its own site's rows
and refuses another site's ids. The site itself and its rosters are not copied: a case needs neither once
it was filed (the roster chose its assignee, who is recorded on the case and in its history).
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
    String,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from dispatch.persistence.base import ID_LENGTH, Base

NAME_LENGTH = 200
"""Longest display name (grid, camera, person, department, event class)."""

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

    site_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


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
