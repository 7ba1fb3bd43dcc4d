"""The root of a site configuration, its cross-reference checks, and typed lookups for the components."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, field_validator, model_validator

from gridwatch.config.checks import find_problems
from gridwatch.config.errors import SiteConfigError
from gridwatch.config.models_calendar import WorkingCalendar
from gridwatch.config.models_camera import Camera, Zone
from gridwatch.config.models_classes import Department, EventClass, TimeLimits
from gridwatch.config.models_common import ConfigModel, Identifier, require_aware
from gridwatch.config.models_grid import CommunityGrid, GridHierarchy, GridLevel, MicroGrid, TownGrid
from gridwatch.config.models_people import Person, Role, Roster
from gridwatch.config.models_rules import RuleKind
from gridwatch.config.site_index import SiteIndex

K = TypeVar("K")
V = TypeVar("V")


class SiteInfo(ConfigModel):
    """What the site is and which clock it lives by."""

    id: Identifier = Field(description="Short id of the deployment, e.g. qingxi.")
    name: str = Field(min_length=1, description="Name shown on dashboards, e.g. 清溪镇城市运行中心.")
    timezone: str = Field(description="IANA timezone of local times in this file, e.g. Asia/Shanghai.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Asia/Shanghai)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The site's timezone."""
        return ZoneInfo(self.timezone)


class SiteConfig(ConfigModel):
    """One site: its grids, cameras and zones, people and rosters, and the event classes it dispatches.

    A SiteConfig that exists is consistent: constructing one runs the cross-reference checks and raises
    :class:`SiteConfigError` with every problem. Use :func:`gridwatch.config.load_site` to read one from YAML.
    """

    site: SiteInfo = Field(description="Identity and timezone of the site.")
    calendar: WorkingCalendar = Field(description="Working hours and holidays; time limits count only these.")
    departments: tuple[Department, ...] = Field(
        min_length=1, description="Line departments cases escalate to."
    )
    grid: GridHierarchy = Field(description="Town → community grids → micro-grids.")
    cameras: tuple[Camera, ...] = Field(default=(), description="The camera pool.")
    people: tuple[Person, ...] = Field(
        min_length=1, description="Workers, leaders, department staff, operators."
    )
    rosters: tuple[Roster, ...] = Field(default=(), description="Duty shifts per grid.")
    event_classes: tuple[EventClass, ...] = Field(
        min_length=1, description="Event classes and their time limits."
    )

    _index: SiteIndex = PrivateAttr(default_factory=SiteIndex)

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        index = SiteIndex.build(self)
        problems = find_problems(self, index)
        if problems:
            raise SiteConfigError(problems)
        self._index = index
        return self

    # --- grids -------------------------------------------------------------------------------------------

    @property
    def town(self) -> TownGrid:
        """The town grid."""
        return self.grid.town

    @property
    def communities(self) -> tuple[CommunityGrid, ...]:
        """The community grids."""
        return self.grid.communities

    @property
    def micro_grids(self) -> tuple[MicroGrid, ...]:
        """Every micro-grid, in file order."""
        return tuple(self._index.micro_grids.values())

    def micro_grid(self, micro_grid_id: str) -> MicroGrid:
        """The micro-grid with an id."""
        return _get(self._index.micro_grids, micro_grid_id, "micro-grid")

    def community_of(self, micro_grid_id: str) -> CommunityGrid:
        """The community grid a micro-grid belongs to."""
        return _get(self._index.community_of, micro_grid_id, "micro-grid")

    def grid_level(self, grid_id: str) -> GridLevel:
        """Whether an id names the town, a community grid or a micro-grid."""
        return _get(self._index.grid_levels, grid_id, "grid")

    # --- cameras ------------------------------------------------------------------------------------------

    def camera(self, camera_id: str) -> Camera:
        """The camera with an id."""
        return _get(self._index.cameras, camera_id, "camera")

    def zone(self, camera_id: str, zone_id: str) -> Zone:
        """A zone of a camera."""
        return self.camera(camera_id).zone(zone_id)

    def cameras_in(self, micro_grid_id: str) -> tuple[Camera, ...]:
        """The cameras watching a micro-grid."""
        self.micro_grid(micro_grid_id)
        return tuple(self._index.cameras_in.get(micro_grid_id, ()))

    # --- people -------------------------------------------------------------------------------------------

    def person(self, person_id: str) -> Person:
        """The person with an id."""
        return _get(self._index.people, person_id, "person")

    def people_of(self, grid_id: str, role: Role | None = None) -> tuple[Person, ...]:
        """People who belong to a grid (only that level), optionally only those of one role."""
        self.grid_level(grid_id)
        members = self._index.people_in.get(grid_id, ())
        return tuple(p for p in members if role is None or p.role is role)

    def leader_of(self, micro_grid_id: str) -> Person:
        """The leader (微网格长) of a micro-grid; every micro-grid has exactly one."""
        self.micro_grid(micro_grid_id)
        (leader,) = self.people_of(micro_grid_id, Role.LEADER)
        return leader

    def workers_of(self, micro_grid_id: str) -> tuple[Person, ...]:
        """The workers (微网格员) of a micro-grid; at least one."""
        self.micro_grid(micro_grid_id)
        return self.people_of(micro_grid_id, Role.WORKER)

    def operators(self) -> tuple[Person, ...]:
        """The operations-centre staff."""
        return tuple(p for p in self.people if p.role is Role.OPERATOR)

    def on_duty(self, grid_id: str, at: datetime) -> tuple[Person, ...]:
        """People whose roster shift for a grid covers an aware instant (site local time), in roster order."""
        self.grid_level(grid_id)
        roster = self._index.rosters.get(grid_id)
        if roster is None:
            return ()
        local = require_aware(at).astimezone(self.site.tz)
        seen: dict[str, Person] = {}
        for shift in roster.shifts:
            if shift.contains(local):
                seen.setdefault(shift.person, self.person(shift.person))
        return tuple(seen.values())

    # --- departments and event classes --------------------------------------------------------------------

    def department(self, department_id: str) -> Department:
        """The department with an id."""
        return _get(self._index.departments, department_id, "department")

    def department_people(self, department_id: str) -> tuple[Person, ...]:
        """Staff of a department."""
        self.department(department_id)
        return tuple(p for p in self.people if p.role is Role.DEPARTMENT and p.department == department_id)

    def event_class(self, code: str) -> EventClass:
        """The event class with a code, e.g. "06"."""
        return _get(self._index.event_classes, code, "event class")

    def event_class_for(self, rule_kind: RuleKind | str) -> EventClass:
        """The event class that incidents of a rule kind are filed as."""
        return _get(self._index.class_of_rule, RuleKind(rule_kind), "event class for rule kind")

    def time_limits(self, event_class: EventClass | str, micro_grid_id: str) -> TimeLimits:
        """A class's limits in a micro-grid: its own, overridden by its community's, then the micro-grid's."""
        cls = self.event_class(event_class) if isinstance(event_class, str) else event_class
        return cls.limits_in(self.community_of(micro_grid_id).id, micro_grid_id)

    def department_for(self, event_class: EventClass | str) -> Department:
        """The line department an event class escalates to (by class or code)."""
        cls = self.event_class(event_class) if isinstance(event_class, str) else event_class
        return self.department(cls.department)

    # --- time ---------------------------------------------------------------------------------------------

    def is_working_time(self, at: datetime) -> bool:
        """Whether an aware instant falls in the site's working hours."""
        return self.calendar.is_working_time(at, self.site.tz)

    def deadline(self, start: datetime, working_hours: float) -> datetime:
        """The instant a number of working hours after an aware start, in site local time."""
        return self.calendar.add_working_hours(start, working_hours, self.site.tz)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours elapsed from start to end."""
        return self.calendar.working_hours_between(start, end, self.site.tz)

    def summary(self) -> str:
        """One line: what the site holds."""
        zones = sum(len(camera.zones) for camera in self.cameras)
        return (
            f"{self.site.name}: {len(self.grid.communities)} community grids, "
            f"{len(self.micro_grids)} micro-grids, "
            f"{len(self.cameras)} cameras, {zones} zones, {len(self.people)} people"
        )


def _get(table: Mapping[K, V], key: K, what: str) -> V:
    try:
        return table[key]
    except KeyError:
        raise KeyError(f"no {what} {key}") from None
