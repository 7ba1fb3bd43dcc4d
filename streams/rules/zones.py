"""A zone rule compiled for the engine: polygon, box-size limits in native pixels, schedule, matching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from gridwatch.config import Camera, Zone, ZoneRule
from gridwatch.config.geometry import Point, point_in_polygon
from gridwatch.detections import Detections
from gridwatch.messages.incidents import CLASS_CODE_OF_RULE, ClassCode, RuleKind
from streams.rules.geometry import BoxXYXY, bottom_centre, polygon_area
from streams.rules.state import Candidate, ZoneRuleState
from streams.rules.stationary import Matching

Offender = tuple[Candidate, float]
"""An object that makes an incident, with how long it has dwelt, in seconds."""


class RuleLogic(Protocol):
    """What differs between rule kinds: which boxes to follow and which candidates offend."""

    def select(self, spec: ZoneRuleSpec, detections: Detections) -> tuple[Detections, Detections]:
        """(objects, persons) of one sample to follow in the zone; persons only where the rule needs them."""
        ...

    def offenders(self, spec: ZoneRuleSpec, state: ZoneRuleState, now: float) -> list[Offender]:
        """The followed objects that have met the rule's dwell time at ``now``."""
        ...


@dataclass(frozen=True, slots=True)
class ZoneRuleSpec:
    """One rule of one zone of one camera, ready to evaluate."""

    camera_id: str
    zone_id: str
    micro_grid_id: str
    rule: ZoneRule
    class_code: ClassCode
    polygon: tuple[Point, ...]
    bounds: BoxXYXY  # the polygon's bounding box, a cheap pre-test
    area: float
    min_size: tuple[float, float] | None
    max_size: tuple[float, float] | None
    muted: bool
    tz: tzinfo
    matching: Matching
    logic: RuleLogic

    @property
    def key(self) -> str:
        """Key of this zone rule's state in the camera state."""
        return f"{self.zone_id}/{self.rule.kind.value}"

    @property
    def kind(self) -> RuleKind:
        return self.rule.kind

    def active_at(self, now: float) -> bool:
        """Whether the rule runs at an instant (its active hours, in the site's local time)."""
        windows = self.rule.active_hours
        if not windows:
            return True
        local = datetime.fromtimestamp(now, self.tz)
        return any(window.contains(local) for window in windows)

    def stands_in(self, box: BoxXYXY) -> bool:
        """Whether a box's bottom-centre lies in the zone."""
        x, y = bottom_centre(box)
        x1, y1, x2, y2 = self.bounds
        return x1 <= x <= x2 and y1 <= y <= y2 and point_in_polygon((x, y), self.polygon)

    def size_ok(self, box: BoxXYXY) -> bool:
        """Whether a box is within the rule's min/max size (perspective: near objects are larger)."""
        width, height = box[2] - box[0], box[3] - box[1]
        if self.min_size is not None and (width < self.min_size[0] or height < self.min_size[1]):
            return False
        return self.max_size is None or (width <= self.max_size[0] and height <= self.max_size[1])


def compile_zone_rule(
    camera: Camera,
    zone: Zone,
    rule: ZoneRule,
    tz: tzinfo,
    logic: RuleLogic,
    *,
    match_iou: float,
    move_tolerance: float,
    static_cover: float,
) -> ZoneRuleSpec:
    """Compile one rule of one zone; box sizes become native pixels."""
    xs = [p[0] for p in zone.polygon]
    ys = [p[1] for p in zone.polygon]
    return ZoneRuleSpec(
        camera_id=camera.id,
        zone_id=zone.id,
        micro_grid_id=camera.micro_grid,
        rule=rule,
        class_code=CLASS_CODE_OF_RULE[rule.kind],
        polygon=tuple(zone.polygon),
        bounds=(min(xs), min(ys), max(xs), max(ys)),
        area=polygon_area(zone.polygon),
        min_size=rule.min_box.in_pixels(camera.width, camera.height) if rule.min_box else None,
        max_size=rule.max_box.in_pixels(camera.width, camera.height) if rule.max_box else None,
        muted=camera.muted or zone.muted,
        tz=tz,
        matching=Matching(
            match_iou,
            move_tolerance,
            rule.inertia,
            rule.clear_s,
            same_look=rule.same_look,
            static_cover=static_cover,
        ),
        logic=logic,
    )
