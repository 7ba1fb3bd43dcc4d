"""The names a case shows for what it refers to (event class and its department, camera, micro-grid, people),
also after they left the site configuration.

A case outlives the configuration it was filed under. The running site configuration names everything it
has; a class, department, camera, grid or person taken out of the site file stays in the site tables,
marked inactive, once the site was synchronised (``gridwatch db sync-site``, or ``gridwatch run``), and its
name is read from there: a worker who left still shows by name on the cases they handled, a camera taken
down on the cases it filed. An id the database never saw shows as the id itself (a class with no
department).

One :class:`SiteNames` serves one request: it remembers what it looked up, so a list of cases asks the
database at most once per retired id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from dispatch.persistence.site_tables import Camera, Department, EventClass, Grid, Person
from gridwatch.config import SiteConfig

RowT = TypeVar("RowT", Camera, Department, EventClass, Grid, Person)
NamedT = TypeVar("NamedT", Camera, Grid, Person)


@dataclass(frozen=True)
class ClassNames:
    """A class's display name and its department's (empty when unknown)."""

    name: str
    department: str


class SiteNames:
    """Names by id: from the running configuration, else the synchronised site tables, else the id."""

    def __init__(self, site: SiteConfig, session: Session) -> None:
        self._site = site
        self._session = session
        self._stored: dict[tuple[type[object], str], object | None] = {}

    def event_class(self, code: str) -> ClassNames:
        """The names of event class ``code`` and of its department."""
        try:
            configured = self._site.event_class(code)
        except KeyError:
            pass
        else:
            return ClassNames(configured.name, self._site.department_for(configured).name)
        stored = self._row(EventClass, code)
        if stored is None:
            return ClassNames(code, "")
        department = self._row(Department, stored.department_id)
        return ClassNames(stored.name, "" if department is None else department.name)

    def person(self, person_id: str) -> str:
        """The name of a person (a worker, leader, department contact or operator)."""
        try:
            return self._site.person(person_id).name
        except KeyError:
            return self._stored_name(Person, person_id)

    def micro_grid(self, micro_grid_id: str) -> str:
        """The name of a micro-grid."""
        try:
            return self._site.micro_grid(micro_grid_id).name
        except KeyError:
            return self._stored_name(Grid, micro_grid_id)

    def camera(self, camera_id: str) -> str:
        """The name of a camera."""
        try:
            return self._site.camera(camera_id).name
        except KeyError:
            return self._stored_name(Camera, camera_id)

    def _stored_name(self, model: type[NamedT], row_id: str) -> str:
        row = self._row(model, row_id)
        return row_id if row is None else row.name

    def _row(self, model: type[RowT], row_id: str) -> RowT | None:
        key = (model, row_id)
        if key not in self._stored:
            self._stored[key] = self._session.get(model, row_id)
        found = self._stored[key]
        return found if isinstance(found, model) else None
