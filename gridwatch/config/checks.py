"""Cross-reference checks: what no single field can know, e.g. that a camera's micro-grid exists.

They run once every field is well formed, and report every problem they find rather than the first.
"""

from __future__ import annotations

from collections.abc import Iterable

from gridwatch.config.errors import Loc, Problem, format_path
from gridwatch.config.geometry import fmt_point
from gridwatch.config.models_classes import EscalationLevel, ReviewPolicy
from gridwatch.config.models_grid import GridLevel
from gridwatch.config.models_people import Role
from gridwatch.config.site_content import SiteContent
from gridwatch.config.site_index import SiteIndex


def _problem(loc: Loc, message: str) -> Problem:
    return Problem(format_path(loc), message)


def _duplicates(what: str, items: Iterable[tuple[str, Loc]]) -> list[Problem]:
    first_seen: dict[str, Loc] = {}
    problems = []
    for key, loc in items:
        if key in first_seen:
            problems.append(
                _problem(loc, f"duplicate {what} {key} (first at {format_path(first_seen[key])})")
            )
        else:
            first_seen[key] = loc
    return problems


def _duplicate_ids(site: SiteContent) -> list[Problem]:
    grids: list[tuple[str, Loc]] = [(site.grid.town.id, ("grid", "town", "id"))]
    for c, community in enumerate(site.grid.communities):
        grids.append((community.id, ("grid", "communities", c, "id")))
        for m, micro_grid in enumerate(community.micro_grids):
            grids.append((micro_grid.id, ("grid", "communities", c, "micro_grids", m, "id")))
    problems = _duplicates("grid id", grids)
    problems += _duplicates(
        "camera id", ((cam.id, ("cameras", i, "id")) for i, cam in enumerate(site.cameras))
    )
    for i, camera in enumerate(site.cameras):
        problems += _duplicates(
            "zone id",
            ((zone.id, ("cameras", i, "zones", z, "id")) for z, zone in enumerate(camera.zones)),
        )
    problems += _duplicates("person id", ((p.id, ("people", i, "id")) for i, p in enumerate(site.people)))
    problems += _duplicates(
        "department id", ((d.id, ("departments", i, "id")) for i, d in enumerate(site.departments))
    )
    problems += _duplicates(
        "event class code", ((e.code, ("event_classes", i, "code")) for i, e in enumerate(site.event_classes))
    )
    problems += _duplicates(
        "roster for grid", ((r.grid, ("rosters", i, "grid")) for i, r in enumerate(site.rosters))
    )
    return problems


def _grid_reference(index: SiteIndex, grid_id: str, *, micro_only: bool, who: str) -> str | None:
    level = index.grid_levels.get(grid_id)
    if level is None:
        return f"unknown {'micro-grid' if micro_only else 'grid'} {grid_id}"
    if micro_only and level is not GridLevel.MICRO_GRID:
        return f"{grid_id} is a {level.value.replace('_', '-')} grid; {who} belong to a micro-grid"
    return None


def _cameras(site: SiteContent, index: SiteIndex) -> list[Problem]:
    problems = []
    for i, camera in enumerate(site.cameras):
        wrong = _grid_reference(index, camera.micro_grid, micro_only=True, who="cameras")
        if wrong:
            problems.append(_problem(("cameras", i, "micro_grid"), wrong))
        width, height = camera.resolution
        polygons = [(("zones", z), zone.polygon) for z, zone in enumerate(camera.zones)]
        polygons += [(("exceptions", e), spot.polygon) for e, spot in enumerate(camera.exceptions)]
        for where, polygon in polygons:
            for p, point in enumerate(polygon):
                x, y = point
                if not (0 <= x <= width and 0 <= y <= height):
                    problems.append(
                        _problem(
                            ("cameras", i, *where, "polygon", p),
                            f"point {fmt_point(point)} lies outside the {width}x{height} image",
                        )
                    )
        seen: set[str] = set()
        for e, spot in enumerate(camera.exceptions):
            if spot.id in seen:
                problems.append(
                    _problem(("cameras", i, "exceptions", e, "id"), f"exception id {spot.id} is used twice")
                )
            seen.add(spot.id)
    return problems


def _rule_kinds(site: SiteContent, index: SiteIndex) -> list[Problem]:
    problems = []
    reported = set()
    for i, camera in enumerate(site.cameras):
        for z, zone in enumerate(camera.zones):
            for r, rule in enumerate(zone.rules):
                if rule.kind not in index.class_of_rule and rule.kind not in reported:
                    reported.add(rule.kind)
                    problems.append(
                        _problem(
                            ("cameras", i, "zones", z, "rules", r, "kind"),
                            f"rule kind {rule.kind.value} has no event class (list it in the rules of one of "
                            "event_classes)",
                        )
                    )
    for e, event_class in enumerate(site.event_classes):
        for r, kind in enumerate(event_class.rules):
            owner = index.class_of_rule[kind]
            if owner is not event_class:
                problems.append(
                    _problem(
                        ("event_classes", e, "rules", r),
                        f"rule kind {kind.value} already belongs to event class {owner.code}",
                    )
                )
        if event_class.department not in index.departments:
            problems.append(
                _problem(("event_classes", e, "department"), f"unknown department {event_class.department}")
            )
    return problems


def _grid_limits(site: SiteContent, index: SiteIndex) -> list[Problem]:
    """Per-grid time limits name a community grid or micro-grid once, and fit together once inherited."""
    problems = []
    for e, event_class in enumerate(site.event_classes):
        seen: set[str] = set()
        for g, limits in enumerate(event_class.grid_limits):
            loc = ("event_classes", e, "grid_limits", g, "grid")
            level = index.grid_levels.get(limits.grid)
            if level is None:
                problems.append(_problem(loc, f"unknown grid {limits.grid}"))
            elif level is GridLevel.TOWN:
                problems.append(
                    _problem(loc, f"{limits.grid} is the town: set the class's own limits instead")
                )
            elif limits.grid in seen:
                problems.append(_problem(loc, f"grid {limits.grid} has limits twice in this class"))
            seen.add(limits.grid)
        if problems:
            continue
        for community in site.grid.communities:
            for micro in community.micro_grids:
                problem = event_class.limits_in(community.id, micro.id).problem()
                if problem:
                    problems.append(
                        _problem(("event_classes", e, "grid_limits"), f"in micro-grid {micro.id}: {problem}")
                    )
    return problems


def _people(site: SiteContent, index: SiteIndex) -> list[Problem]:
    problems = []
    for i, person in enumerate(site.people):
        in_micro = person.role in (Role.WORKER, Role.LEADER)
        wrong = _grid_reference(index, person.grid, micro_only=in_micro, who=f"{person.role.value}s")
        if wrong:
            problems.append(_problem(("people", i, "grid"), wrong))
        if person.department is not None and person.department not in index.departments:
            problems.append(_problem(("people", i, "department"), f"unknown department {person.department}"))
    return problems


def _rosters(site: SiteContent, index: SiteIndex) -> list[Problem]:
    problems = []
    on_duty: set[str] = set()
    for r, roster in enumerate(site.rosters):
        if roster.grid not in index.grid_levels:
            problems.append(_problem(("rosters", r, "grid"), f"unknown grid {roster.grid}"))
        for s, shift in enumerate(roster.shifts):
            on_duty.add(shift.person)
            if shift.person not in index.people:
                problems.append(
                    _problem(("rosters", r, "shifts", s, "person"), f"unknown person {shift.person}")
                )
    for i, person in enumerate(site.people):
        if person.role is Role.WORKER and person.id not in on_duty:
            problems.append(
                _problem(("people", i), f"worker {person.id} is on duty nowhere (no roster shift names them)")
            )
    return problems


def _staffing(site: SiteContent, index: SiteIndex) -> list[Problem]:
    problems = []
    for c, community in enumerate(site.grid.communities):
        for m, micro_grid in enumerate(community.micro_grids):
            if index.micro_grids.get(micro_grid.id) is not micro_grid:
                continue  # a duplicate id, reported already
            loc = ("grid", "communities", c, "micro_grids", m)
            members = index.people_in.get(micro_grid.id, [])
            leaders = [p.id for p in members if p.role is Role.LEADER]
            if not leaders:
                problems.append(
                    _problem(loc, f"micro-grid {micro_grid.id} has no leader (escalation needs one)")
                )
            elif len(leaders) > 1:
                problems.append(
                    _problem(
                        loc,
                        f"micro-grid {micro_grid.id} has {len(leaders)} leaders ({', '.join(leaders)}); "
                        "escalation needs exactly one",
                    )
                )
            if not any(p.role is Role.WORKER for p in members):
                problems.append(
                    _problem(loc, f"micro-grid {micro_grid.id} has no worker (its cases would reach nobody)")
                )
    has_operator = any(p.role is Role.OPERATOR for p in site.people)
    staffed = {p.department for p in site.people if p.role is Role.DEPARTMENT}
    for e, event_class in enumerate(site.event_classes):
        if event_class.review is ReviewPolicy.OPERATOR and not has_operator:
            problems.append(
                _problem(
                    ("event_classes", e, "review"), "review by operator, but no person has role operator"
                )
            )
        if (
            EscalationLevel.DEPARTMENT in event_class.escalation
            and event_class.department in index.departments
            and event_class.department not in staffed
        ):
            problems.append(
                _problem(
                    ("event_classes", e, "department"),
                    f"department {event_class.department} has nobody (no person with role department "
                    "names it), yet escalation reaches it",
                )
            )
    return problems


def find_problems(site: SiteContent, index: SiteIndex) -> list[Problem]:
    """Every cross-reference problem of a site whose fields are each valid."""
    return [
        *_duplicate_ids(site),
        *_cameras(site, index),
        *_rule_kinds(site, index),
        *_grid_limits(site, index),
        *_people(site, index),
        *_rosters(site, index),
        *_staffing(site, index),
    ]
