"""Who gets a case: camera → micro-grid → the worker on duty (the least loaded of several; the leader when no
worker is on duty), and, up the class's escalation chain, the micro-grid leader and the line department.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from gridwatch.config import EscalationLevel, EventClass, Person, Role, SiteConfig

LoadOf = Callable[[str], int]
"""Open cases a person holds now (the router sends a new case to the least loaded)."""


class RoutingError(LookupError):
    """Nobody can take the case at the level asked for (e.g. a department with no staff configured)."""


@dataclass(frozen=True)
class Assignment:
    """Who a case goes to, at which level of the escalation chain, and why them."""

    person: Person
    level: EscalationLevel
    department_id: str | None
    reason: str


def _least_loaded(people: Sequence[Person], load_of: LoadOf) -> Person:
    """The person with the fewest open cases; ties go to the earlier one (roster or file order)."""
    ranked = sorted(enumerate(people), key=lambda item: (load_of(item[1].id), item[0]))
    return ranked[0][1]


def route_to_worker(site: SiteConfig, micro_grid_id: str, at: datetime, load_of: LoadOf) -> Assignment:
    """The worker on duty in a micro-grid at ``at`` (least loaded of several), else its leader."""
    on_duty = [p for p in site.on_duty(micro_grid_id, at) if p.role is Role.WORKER]
    if on_duty:
        person = _least_loaded(on_duty, load_of)
        reason = "on duty" if len(on_duty) == 1 else f"on duty, least loaded of {len(on_duty)}"
        return Assignment(person, EscalationLevel.WORKER, None, reason)
    leader = site.leader_of(micro_grid_id)
    return Assignment(leader, EscalationLevel.LEADER, None, "no worker on duty: the micro-grid leader")


def route_to_level(
    site: SiteConfig,
    level: EscalationLevel,
    micro_grid_id: str,
    event_class: EventClass,
    at: datetime,
    load_of: LoadOf,
) -> Assignment:
    """Who takes a case of ``event_class`` in ``micro_grid_id`` at ``level`` of the escalation chain."""
    if level is EscalationLevel.WORKER:
        return route_to_worker(site, micro_grid_id, at, load_of)
    if level is EscalationLevel.LEADER:
        return Assignment(site.leader_of(micro_grid_id), level, None, "the micro-grid leader")
    department = site.department_for(event_class)
    staff = site.department_people(department.id)
    if not staff:
        raise RoutingError(
            f"department {department.id} ({department.name}) has no staff in the site configuration; "
            f"class {event_class.code} cannot be escalated to it"
        )
    person = _least_loaded(staff, load_of)
    return Assignment(person, level, department.id, f"the line department {department.name}")


def next_level(event_class: EventClass, current: EscalationLevel) -> EscalationLevel | None:
    """The level after ``current`` in the class's chain, or None at the top.

    A level not in the chain (a case routed to the leader because no worker was on duty, in a chain that
    skips the leader) moves to the first level of the chain above it.
    """
    order = list(EscalationLevel)
    above = [level for level in event_class.escalation if order.index(level) > order.index(current)]
    return above[0] if above else None


def last_level(event_class: EventClass) -> EscalationLevel:
    """The top of the class's escalation chain (the line department in the usual chain)."""
    return event_class.escalation[-1]
