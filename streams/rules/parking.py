"""06 非机动车乱停放: two-wheelers standing still in a no-parking zone; a ridden one never counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gridwatch.messages.detections import ObjectKind
from streams.rules.dwell import dwelling
from streams.rules.geometry import BoxXYXY, intersection_area
from streams.rules.observation import Sighting
from streams.rules.state import ZoneRuleState
from streams.rules.zones import Offender, ZoneRuleSpec


def ridden(vehicle: BoxXYXY, persons: Sequence[BoxXYXY], min_overlap: float) -> bool:
    """Whether someone rides the vehicle: a person's box covers enough of it, centred over it, with the
    person's feet (box bottom) in the vehicle's lower half."""
    x1, y1, x2, y2 = vehicle
    area = (x2 - x1) * (y2 - y1)
    if area <= 0:
        return False
    middle = (y1 + y2) / 2
    for person in persons:
        centre = (person[0] + person[2]) / 2
        over = x1 <= centre <= x2 and person[3] >= middle and person[1] < middle
        if over and intersection_area(vehicle, person) / area >= min_overlap:
            return True
    return False


@dataclass(frozen=True, slots=True)
class ParkingLogic:
    """Follows two-wheelers (the rule's kinds) that stand in the zone and nobody rides."""

    ridden_overlap: float

    def select(
        self, spec: ZoneRuleSpec, sightings: Sequence[Sighting]
    ) -> tuple[list[BoxXYXY], list[BoxXYXY]]:
        kinds = spec.rule.kinds
        persons = [s.box for s in sightings if s.kind is ObjectKind.PERSON]
        vehicles = [
            s.box
            for s in sightings
            if s.kind in kinds
            and spec.stands_in(s.box)
            and spec.size_ok(s.box)
            and not ridden(s.box, persons, self.ridden_overlap)
        ]
        return vehicles, []

    def offenders(self, spec: ZoneRuleSpec, state: ZoneRuleState, now: float) -> list[Offender]:
        return dwelling(state.objects, now, spec.rule.inertia, spec.rule.dwell_s)
