"""Who sees a case change live: its assignee (and the one before, after a hand-over), the micro-grid leader,
the operators, and the line department's staff once the case reached it."""

from __future__ import annotations

from contextlib import suppress

from dispatch.persistence.case_tables import CaseRecord
from gridwatch.config import SiteConfig


def audience_of(site: SiteConfig, case: CaseRecord, *also: str | None) -> frozenset[str]:
    """Person ids to notify live about a change of ``case`` (plus ``also``, e.g. the previous assignee)."""
    people: set[str] = {p.id for p in site.operators()}
    with suppress(KeyError, ValueError):  # a grid no longer configured: operators still see it
        people.add(site.leader_of(case.micro_grid_id).id)
    if case.department_id is not None:
        with suppress(KeyError):
            people.update(p.id for p in site.department_people(case.department_id))
    for person_id in (case.assignee_id, case.handled_by, *also):
        if person_id is not None:
            people.add(person_id)
    return frozenset(people)
