"""The names a case shows for its event class and the class's department, also after the class left the site.

The running site configuration names every class it has. A case outlives it: a class (or department) taken
out of the site file stays in the site tables, marked inactive, once the site was synchronised
(``gridwatch db sync-site``, or ``gridwatch run``), and its names are read from there. A class the database
never saw shows as its code, with no department.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dispatch.persistence.site_tables import Department, EventClass
from gridwatch.config import SiteConfig


@dataclass(frozen=True)
class ClassNames:
    """A class's display name and its department's (empty when unknown)."""

    name: str
    department: str


def class_names(site: SiteConfig, session: Session, code: str) -> ClassNames:
    """The names of class ``code``: from the configuration, else from the synchronised site tables."""
    try:
        configured = site.event_class(code)
    except KeyError:
        pass
    else:
        return ClassNames(configured.name, site.department_for(configured).name)
    stored = session.get(EventClass, code)
    if stored is None:
        return ClassNames(code, "")
    department = session.get(Department, stored.department_id)
    return ClassNames(stored.name, "" if department is None else department.name)
