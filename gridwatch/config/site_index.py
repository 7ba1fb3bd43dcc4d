"""Lookup tables over a site configuration, built once when it is loaded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from gridwatch.config.models_camera import Camera
from gridwatch.config.models_classes import Department, EventClass
from gridwatch.config.models_grid import CommunityGrid, GridLevel, MicroGrid, TownGrid
from gridwatch.config.models_people import Person, Roster
from gridwatch.config.models_rules import RuleKind
from gridwatch.config.site_content import SiteContent


@dataclass
class SiteIndex:
    """Everything keyed by id (first occurrence wins; duplicates are reported by the checks)."""

    grids: dict[str, TownGrid | CommunityGrid | MicroGrid] = field(default_factory=dict)
    grid_levels: dict[str, GridLevel] = field(default_factory=dict)
    micro_grids: dict[str, MicroGrid] = field(default_factory=dict)
    community_of: dict[str, CommunityGrid] = field(default_factory=dict)
    cameras: dict[str, Camera] = field(default_factory=dict)
    cameras_in: dict[str, list[Camera]] = field(default_factory=lambda: defaultdict(list))
    people: dict[str, Person] = field(default_factory=dict)
    people_in: dict[str, list[Person]] = field(default_factory=lambda: defaultdict(list))
    departments: dict[str, Department] = field(default_factory=dict)
    event_classes: dict[str, EventClass] = field(default_factory=dict)
    class_of_rule: dict[RuleKind, EventClass] = field(default_factory=dict)
    rosters: dict[str, Roster] = field(default_factory=dict)

    @classmethod
    def build(cls, site: SiteContent) -> SiteIndex:
        """Index a site."""
        index = cls()
        town = site.grid.town
        index.grids[town.id] = town
        index.grid_levels[town.id] = GridLevel.TOWN
        for community in site.grid.communities:
            index.grids.setdefault(community.id, community)
            index.grid_levels.setdefault(community.id, GridLevel.COMMUNITY)
        for community, micro_grid in site.grid.micro_grids():
            index.grids.setdefault(micro_grid.id, micro_grid)
            index.grid_levels.setdefault(micro_grid.id, GridLevel.MICRO_GRID)
            index.micro_grids.setdefault(micro_grid.id, micro_grid)
            index.community_of.setdefault(micro_grid.id, community)
        for camera in site.cameras:
            index.cameras.setdefault(camera.id, camera)
            index.cameras_in[camera.micro_grid].append(camera)
        for person in site.people:
            index.people.setdefault(person.id, person)
            index.people_in[person.grid].append(person)
        for department in site.departments:
            index.departments.setdefault(department.id, department)
        for event_class in site.event_classes:
            index.event_classes.setdefault(event_class.code, event_class)
            for kind in event_class.rules:
                index.class_of_rule.setdefault(kind, event_class)
        for roster in site.rosters:
            index.rosters.setdefault(roster.grid, roster)
        return index
