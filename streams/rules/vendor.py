"""01 无照经营游商: a stationary person together with a cart, umbrella, table or goods cluster.

Both are followed as stationary candidates; an object offends when a person has stood by it (within
``reach`` of its width) for the dwell time, counted from the later of the two stopping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gridwatch.messages.detections import ObjectKind
from streams.rules.geometry import BoxXYXY, gap
from streams.rules.observation import Sighting
from streams.rules.state import ZoneRuleState
from streams.rules.zones import Offender, ZoneRuleSpec


@dataclass(frozen=True, slots=True)
class VendorLogic:
    """Follows vendors' objects (the rule's kinds, static-foreground blobs included) and people."""

    reach: float

    def select(
        self, spec: ZoneRuleSpec, sightings: Sequence[Sighting]
    ) -> tuple[list[BoxXYXY], list[BoxXYXY]]:
        kinds = spec.rule.kinds
        objects = [
            s.box
            for s in sightings
            if s.kind in kinds
            and s.kind is not ObjectKind.PERSON
            and spec.stands_in(s.box)
            and spec.size_ok(s.box)
        ]
        persons = [s.box for s in sightings if s.kind is ObjectKind.PERSON and spec.stands_in(s.box)]
        return objects, persons

    def offenders(self, spec: ZoneRuleSpec, state: ZoneRuleState, now: float) -> list[Offender]:
        inertia, dwell_s = spec.rule.inertia, spec.rule.dwell_s
        people = [p for p in state.persons if p.present(inertia)]
        found: list[Offender] = []
        for thing in state.objects:
            if not thing.present(inertia):
                continue
            reach = self.reach * (thing.box[2] - thing.box[0])
            together = [
                now - max(thing.first_seen, person.first_seen)
                for person in people
                if gap(thing.box, person.box) <= reach
            ]
            if together and max(together) >= dwell_s:
                found.append((thing, max(together)))
        return found
