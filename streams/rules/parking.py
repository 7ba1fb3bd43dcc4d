"""06 非机动车乱停放: two-wheelers standing still in a no-parking zone; a ridden one never counts.

With ``static_objects`` a static-foreground blob of a two-wheeler's size counts too when no detection names
it (a camera too high or far for the model), unless a person stands over it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gridwatch.config import EbikeParkingRule, ZoneRule
from gridwatch.detections import STATIC_FOREGROUND_CLASS, Detections, ObjectKind
from streams.rules.dwell import dwelling
from streams.rules.geometry import BoxXYXY, covered, intersection_area
from streams.rules.state import ZoneRuleState
from streams.rules.tuning import RuleTuning
from streams.rules.zones import Offender, ZoneRuleSpec

#: A rider's head and shoulders rise above the vehicle by at least this share of the vehicle's height; a
#: "person" box no taller than the vehicle's own is the vehicle seen twice (one object, two classes).
RIDER_ABOVE = 0.2
#: A static blob this much of which a person's box covers is that person standing still, not a vehicle.
PERSON_OVER_BLOB = 0.3
#: A static blob this much of which a followed vehicle's box covers is that vehicle (counted once).
VEHICLE_OVER_BLOB = 0.3


def ridden(vehicle: BoxXYXY, persons: Sequence[BoxXYXY], min_overlap: float) -> bool:
    """Whether someone rides the vehicle: a person's box covers enough of it, centred over it, with the
    person's feet (box bottom) in the vehicle's lower half and their top well above the vehicle's."""
    x1, y1, x2, y2 = vehicle
    area = (x2 - x1) * (y2 - y1)
    if area <= 0:
        return False
    middle = (y1 + y2) / 2
    above = y1 - RIDER_ABOVE * (y2 - y1)
    for person in persons:
        centre = (person[0] + person[2]) / 2
        over = x1 <= centre <= x2 and person[3] >= middle and person[1] < above
        if over and intersection_area(vehicle, person) / area >= min_overlap:
            return True
    return False


@dataclass(frozen=True, slots=True)
class ParkingLogic:
    """Follows two-wheelers (the rule's kinds) that stand in the zone and nobody rides."""

    ridden_overlap: float
    static_objects: bool = False  # static blobs of the zone's sizes count as vehicles too

    @classmethod
    def for_rule(cls, rule: ZoneRule, tuning: RuleTuning) -> ParkingLogic:
        """The logic of an ``ebike_parking`` rule."""
        return cls(tuning.ridden_overlap, isinstance(rule, EbikeParkingRule) and rule.static_objects)

    def select(self, spec: ZoneRuleSpec, detections: Detections) -> tuple[Detections, Detections]:
        kinds = spec.rule.kinds
        boxes = detections.boxes()
        rows = list(zip(boxes, detections.kind, strict=True))
        persons = [box for box, kind in rows if kind is ObjectKind.PERSON]
        vehicles = [
            kind in kinds
            and spec.stands_in(box)
            and spec.size_ok(box)
            and not ridden(box, persons, self.ridden_overlap)
            for box, kind in rows
        ]
        chosen = np.array(vehicles, dtype=bool)
        if self.static_objects:
            taken = [box for box, keep in zip(boxes, vehicles, strict=True) if keep]
            chosen |= np.array(
                [
                    name == STATIC_FOREGROUND_CLASS
                    and spec.stands_in(box)
                    and spec.size_ok(box)
                    and not covered(box, persons, PERSON_OVER_BLOB)
                    and not covered(box, taken, VEHICLE_OVER_BLOB)
                    for box, name in zip(boxes, detections.class_name, strict=True)
                ],
                dtype=bool,
            )
        return detections.select(chosen), Detections.empty()

    def offenders(self, spec: ZoneRuleSpec, state: ZoneRuleState, now: float) -> list[Offender]:
        rule = spec.rule
        return dwelling(state.objects, now, rule.inertia, rule.dwell_s, rule.min_presence)
