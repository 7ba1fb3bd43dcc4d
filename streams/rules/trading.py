"""04 店外经营: goods, racks, tables or stalls standing in the strip beyond a shop's door line.

Evidence comes from the model's trading objects, from static-foreground blobs (model-free: pixels that
stopped changing against a slow background), or from both, as the zone's ``signal`` says. Static blobs
count only while together they cover at least ``static_min_fraction`` of the zone. A person is never a
trading object, however long they stand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gridwatch.config import StorefrontTradingRule, TradingSignal, ZoneRule
from gridwatch.detections import STATIC_FOREGROUND_CLASS, Detections
from streams.rules.dwell import dwelling
from streams.rules.geometry import BoxXYXY, box_polygon_area
from streams.rules.state import ZoneRuleState
from streams.rules.tuning import RuleTuning
from streams.rules.zones import Offender, ZoneRuleSpec


def static_cover(spec: ZoneRuleSpec, blobs: Sequence[BoxXYXY]) -> float:
    """Share of the zone that static-foreground blobs cover (blobs do not overlap one another)."""
    if spec.area <= 0:
        return 0.0
    return sum(box_polygon_area(blob, spec.polygon) for blob in blobs) / spec.area


@dataclass(frozen=True, slots=True)
class TradingLogic:
    """Follows trading objects and/or static-foreground blobs in the zone."""

    @classmethod
    def for_rule(cls, rule: ZoneRule, tuning: RuleTuning) -> TradingLogic:
        """The logic of a ``storefront_trading`` rule."""
        return cls()

    def select(self, spec: ZoneRuleSpec, detections: Detections) -> tuple[Detections, Detections]:
        rule = spec.rule
        assert isinstance(rule, StorefrontTradingRule)
        kinds = rule.kinds
        rows = [
            (box, kind, name == STATIC_FOREGROUND_CLASS)
            for box, kind, name in zip(
                detections.boxes(), detections.kind, detections.class_name, strict=True
            )
        ]
        detected = np.array(
            [
                rule.signal is not TradingSignal.STATIC_FOREGROUND
                and not static
                and kind in kinds
                and spec.stands_in(box)
                and spec.size_ok(box)
                for box, kind, static in rows
            ],
            dtype=bool,
        ).reshape(-1)
        if rule.signal is TradingSignal.DETECTIONS:
            return detections.select(detected), Detections.empty()
        in_zone = np.array(
            [static and box_polygon_area(box, spec.polygon) > 0 for box, _kind, static in rows], dtype=bool
        ).reshape(-1)
        blobs = [box for (box, _kind, _static), inside in zip(rows, in_zone.tolist(), strict=True) if inside]
        if not blobs or static_cover(spec, blobs) < rule.static_min_fraction:
            return detections.select(detected), Detections.empty()
        return detections.select(detected | in_zone), Detections.empty()

    def offenders(self, spec: ZoneRuleSpec, state: ZoneRuleState, now: float) -> list[Offender]:
        rule = spec.rule
        return dwelling(state.objects, now, rule.inertia, rule.dwell_s, rule.min_presence)
