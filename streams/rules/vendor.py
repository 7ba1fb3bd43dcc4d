"""01 无照经营游商: a stationary person together with a cart, umbrella, table or goods cluster.

Both are followed as stationary candidates; an object offends when a person has stood by it (within
``reach`` of its width) for the dwell time, counted from the later of the two stopping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridwatch.config import ZoneRule
from gridwatch.detections import Detections, ObjectKind
from streams.rules.geometry import gap
from streams.rules.state import ZoneRuleState
from streams.rules.tuning import RuleTuning
from streams.rules.zones import Offender, ZoneRuleSpec


@dataclass(frozen=True, slots=True)
class VendorLogic:
    """Follows vendors' objects (the rule's kinds, static-foreground blobs included) and people."""

    reach: float

    @classmethod
    def for_rule(cls, rule: ZoneRule, tuning: RuleTuning) -> VendorLogic:
        """The logic of a ``mobile_vendor`` rule."""
        return cls(tuning.vendor_reach)

    def select(self, spec: ZoneRuleSpec, detections: Detections) -> tuple[Detections, Detections]:
        kinds = spec.rule.kinds
        rows = list(zip(detections.boxes(), detections.kind, strict=True))
        objects = [
            kind in kinds and kind is not ObjectKind.PERSON and spec.stands_in(box) and spec.size_ok(box)
            for box, kind in rows
        ]
        persons = [kind is ObjectKind.PERSON and spec.stands_in(box) for box, kind in rows]
        return (
            detections.select(np.array(objects, dtype=bool).reshape(-1)),
            detections.select(np.array(persons, dtype=bool).reshape(-1)),
        )

    def offenders(self, spec: ZoneRuleSpec, state: ZoneRuleState, now: float) -> list[Offender]:
        inertia, dwell_s = spec.rule.inertia, spec.rule.dwell_s
        people = [p for p in state.persons if p.present(inertia)]
        found: list[Offender] = []
        for thing in state.objects:
            if not thing.present(inertia) or thing.presence < spec.rule.min_presence:
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
