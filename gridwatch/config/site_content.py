"""What the index and the cross-reference checks read of a site: its parts, not the loaded `SiteConfig`
(which builds the index and runs the checks when it is validated, so it cannot be their input type)."""

from __future__ import annotations

from typing import Protocol

from gridwatch.config.models_camera import Camera
from gridwatch.config.models_classes import Department, EventClass
from gridwatch.config.models_grid import GridHierarchy
from gridwatch.config.models_people import Person, Roster


class SiteContent(Protocol):
    """The parts of a site configuration, as :class:`gridwatch.config.site.SiteConfig` holds them."""

    @property
    def grid(self) -> GridHierarchy: ...

    @property
    def cameras(self) -> tuple[Camera, ...]: ...

    @property
    def people(self) -> tuple[Person, ...]: ...

    @property
    def departments(self) -> tuple[Department, ...]: ...

    @property
    def event_classes(self) -> tuple[EventClass, ...]: ...

    @property
    def rosters(self) -> tuple[Roster, ...]: ...
