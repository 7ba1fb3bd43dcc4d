"""From a scenario to what stands where at each moment: every episode, distractor and decoy becomes one or
two placed objects (a cut-out, a path of foot points, a time span), resolved deterministically from the seed;
and the episodes become ground-truth labels with the object's box (decoys never do: they are no offence).

All positions here are in the camera's native pixels (where zones are drawn); the renderer converts them to
the canvas (the background clip's pixels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gridwatch.config import Camera, RuleKind, Zone
from gridwatch.config.geometry import point_in_polygon
from gridwatch.detections import ObjectKind
from replay.compose.cutouts import Cutout
from replay.compose.library import CutoutLibrary
from replay.compose.perspective import PerspectiveFit
from replay.compose.sizes import object_class
from replay.compose.spec import Decoy, Distractor, DistractorKind, Episode, Point, Scenario
from replay.errors import ReplayError
from replay.labels import Label
from streams.rules.geometry import box_polygon_area

BoxXYXY = tuple[float, float, float, float]
#: Tries to find a free place in a zone.
PLACE_TRIES = 200
#: Largest share of the clip's frames in which something may move over a place where an object is set down:
#: above it the place is a lane (cars, a stream of people), where nothing stays parked, and the clip's own
#: traffic, looped, would drive over it every few seconds.
MAX_TRAFFIC = 0.25
#: A person walking a bike walks this share of the bike's width beside it.
WALKER_OFFSET = 0.45
#: Share of a decoy's box that must lie inside its zone. A rule counting the still pixels of a zone sees only
#: those inside its polygon: a tall bin at the zone's far edge, most of it above the polygon in the picture,
#: is one no such rule would report, and as a decoy it would measure nothing.
DECOY_INSIDE = 0.5


@dataclass(frozen=True, slots=True)
class Placed:
    """One object in the clip: a cut-out moving along ``path`` (or standing: both ends equal) from ``start_s``
    to ``end_s``, ``height_ratio`` times a person's height at its foot row."""

    name: str
    role: str  # "episode", the distractor kind, "walker" or "decoy"
    cutout: Cutout
    start_s: float
    end_s: float
    path: tuple[Point, Point]
    height_ratio: float
    zone: str | None
    rule: RuleKind | None
    labelled: bool

    def active(self, t: float) -> bool:
        """Whether the object is in the picture at ``t``."""
        return self.start_s <= t < self.end_s

    def foot_at(self, t: float) -> Point:
        """Foot point at ``t`` (native pixels), moving at constant speed along the path."""
        (x0, y0), (x1, y1) = self.path
        span = self.end_s - self.start_s
        share = 0.0 if span <= 0 else min(1.0, max(0.0, (t - self.start_s) / span))
        return x0 + (x1 - x0) * share, y0 + (y1 - y0) * share

    def box_at(self, t: float, perspective: PerspectiveFit) -> BoxXYXY:
        """The object's box at ``t`` (native pixels): scaled by the perspective at its foot row."""
        x, y = self.foot_at(t)
        height = self.height_ratio * perspective.person_height(y)
        width = height * self.cutout.width / self.cutout.height
        return x - width / 2, y - height, x + width / 2, y


def rule_for(zone: Zone, kind: str) -> RuleKind | None:
    """The rule of ``zone`` whose kinds include ``kind`` (parking before trading before vendor), or None."""
    for rule in zone.rules:
        if kind in {k.value for k in rule.kinds}:
            return rule.kind
    return None


def zone_at(camera: Camera, point: Point, kind: str) -> tuple[Zone, RuleKind] | None:
    """The zone the point stands in that has a rule watching ``kind``."""
    for zone in camera.zones:
        rule = rule_for(zone, kind)
        if rule is not None and point_in_polygon(point, zone.polygon):
            return zone, rule
    return None


def _ratio(cutout: Cutout, override: float | None) -> float:
    if override is not None:
        return override
    known = object_class(cutout.class_name)
    if known is None:
        raise ReplayError(
            f"no height ratio for class {cutout.class_name!r}: give the object's height_ratio in the scenario"
        )
    return known.height_ratio


def _share_inside(box: BoxXYXY, zone: Zone) -> float:
    """Share of ``box`` (native pixels) that lies inside the zone's polygon."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    return box_polygon_area(box, zone.polygon) / area if area > 0 else 0.0


Traffic = Callable[[BoxXYXY], float]
"""Share of the background clip's frames in which something moves over a box (native pixels), 0..1."""


class Planner:
    """Resolves a scenario's choices (cut-outs, places, paths) from its seed."""

    def __init__(
        self,
        scenario: Scenario,
        camera: Camera,
        library: CutoutLibrary,
        perspective: PerspectiveFit,
        traffic: Traffic | None = None,
    ) -> None:
        self.scenario = scenario
        self.camera = camera
        self.library = library
        self.perspective = perspective
        self.traffic = traffic
        self.rng = np.random.default_rng(scenario.seed)
        self.placed: list[Placed] = []

    def zone(self, zone_id: str) -> Zone:
        """The camera's zone; ReplayError listing the zones otherwise."""
        try:
            return self.camera.zone(zone_id)
        except KeyError:
            zones = ", ".join(z.id for z in self.camera.zones) or "none"
            raise ReplayError(f"camera {self.camera.id} has no zone {zone_id!r} (zones: {zones})") from None

    def cutout(self, name: str, chosen: str | None) -> Cutout:
        """The cut-out asked for, or one of the class chosen by the seed."""
        return self.library.get(chosen) if chosen is not None else self.library.pick(name, self.rng)

    def _fits(self, box: BoxXYXY) -> bool:
        return box[0] >= 0 and box[1] >= 0 and box[2] <= self.camera.width and box[3] <= self.camera.height

    def _clashes(self, box: BoxXYXY, start: float, end: float) -> bool:
        for other in self.placed:
            if other.end_s <= start or end <= other.start_s or other.path[0] != other.path[1]:
                continue
            b = other.box_at(other.start_s, self.perspective)
            if min(box[2], b[2]) > max(box[0], b[0]) and min(box[3], b[3]) > max(box[1], b[1]):
                return True
        return False

    def place_in(
        self, zone: Zone, cutout: Cutout, ratio: float, start: float, end: float, inside: float = 0.0
    ) -> Point:
        """A foot point inside ``zone`` where the whole object is in the picture, its base stands in the zone,
        at least ``inside`` of its box lies in the zone, and it covers no other object standing at the same
        time."""
        xs = [p[0] for p in zone.polygon]
        ys = [p[1] for p in zone.polygon]
        for _ in range(PLACE_TRIES):
            point = (float(self.rng.uniform(min(xs), max(xs))), float(self.rng.uniform(min(ys), max(ys))))
            probe = Placed("", "", cutout, start, end, (point, point), ratio, None, None, False)
            box = probe.box_at(start, self.perspective)
            width = box[2] - box[0]
            base = [(point[0] + dx * width, point[1]) for dx in (-0.3, 0.0, 0.3)]
            if (
                all(point_in_polygon(p, zone.polygon) for p in base)
                and self._fits(box)
                and not self._clashes(box, start, end)
                and (self.traffic is None or self.traffic(box) <= MAX_TRAFFIC)
                and (inside <= 0 or _share_inside(box, zone) >= inside)
            ):
                return point
        held = f", or no place holds {inside:.0%} of it inside the zone" if inside > 0 else ""
        raise ReplayError(
            f"found no free place for a {cutout.class_name} in zone {zone.id} of camera {self.camera.id} "
            f"(the object may be larger than the zone at this perspective, or the zone is a lane: something "
            f"in the clip moves over every place in it more than {MAX_TRAFFIC:.0%} of the time{held})"
        )

    def crossing(self, zone: Zone) -> tuple[Point, Point]:
        """A path across ``zone`` at a row chosen by the seed, left to right or right to left."""
        ys = sorted(p[1] for p in zone.polygon)
        for _ in range(PLACE_TRIES):
            y = float(self.rng.uniform(ys[0], ys[-1]))
            inside = [
                x for x in np.linspace(0, self.camera.width, 200) if point_in_polygon((x, y), zone.polygon)
            ]
            if len(inside) >= 2:
                x0, x1 = float(inside[0]), float(inside[-1])
                margin = 0.1 * (x1 - x0)
                a, b = (max(0.0, x0 - margin), y), (min(float(self.camera.width), x1 + margin), y)
                return (a, b) if self.rng.random() < 0.5 else (b, a)
        raise ReplayError(f"zone {zone.id}: found no row to cross it")

    def episode(self, episode: Episode) -> Placed:
        """Place an episode; ReplayError when its place has no rule watching the object."""
        cutout = self.cutout(episode.object, episode.cutout)
        ratio = _ratio(cutout, episode.height_ratio)
        if episode.zone is not None:
            zone = self.zone(episode.zone)
            rule = rule_for(zone, cutout.kind)
            point = self.place_in(zone, cutout, ratio, episode.start_s, episode.end_s)
        else:
            assert episode.at is not None  # the model allows exactly one of zone and at
            point = episode.at
            found = zone_at(self.camera, point, cutout.kind)
            zone, rule = found if found is not None else (None, None)  # type: ignore[assignment]
        if episode.labelled and (zone is None or rule is None):
            where = f"zone {zone.id}" if zone is not None else f"point {point}"
            raise ReplayError(
                f"episode {episode.id}: {where} has no rule watching {cutout.kind} ({cutout.class_name}): it "
                "cannot be labelled; place it in a zone with such a rule or set labelled: false"
            )
        placed = Placed(
            episode.id,
            "episode",
            cutout,
            episode.start_s,
            episode.end_s,
            (point, point),
            ratio,
            zone.id if zone else None,
            rule,
            episode.labelled,
        )
        self.placed.append(placed)
        return placed

    def distractor(self, item: Distractor) -> list[Placed]:
        """Place a distractor: one object, or a bike and the person walking it."""
        cutout = self.cutout(item.object, item.cutout)
        ratio = _ratio(cutout, item.height_ratio)
        if item.kind is DistractorKind.SHORT_STAY:
            if item.zone is not None:
                point = self.place_in(self.zone(item.zone), cutout, ratio, item.start_s, item.end_s)
            else:
                assert item.at is not None
                point = item.at
            path = (point, point)
        else:
            path = item.path if item.path is not None else self.crossing(self.zone(item.zone or ""))
        found = zone_at(self.camera, path[0], cutout.kind)
        bike = Placed(
            item.id, item.kind.value, cutout, item.start_s, item.end_s, path, ratio,
            found[0].id if found else None, found[1] if found else None, False,
        )  # fmt: skip
        placed = [bike]
        if item.kind is DistractorKind.WALKING_BIKE:
            person = self.cutout("person", item.person)
            (x0, y0), (x1, y1) = path
            heading = 1.0 if x1 >= x0 else -1.0
            width = (
                bike.box_at(item.start_s, self.perspective)[2]
                - bike.box_at(item.start_s, self.perspective)[0]
            )
            dx = heading * WALKER_OFFSET * width
            walker_path = ((x0 + dx, y0 + 2.0), (x1 + dx, y1 + 2.0))
            placed.append(
                Placed(
                    f"{item.id}.walker",
                    "walker",
                    person,
                    item.start_s,
                    item.end_s,
                    walker_path,
                    _ratio(person, None),
                    None,
                    None,
                    False,
                )
            )
        self.placed.extend(placed)
        return placed

    def _watching(self, item: Decoy, kind: str) -> Zone | None:
        """The zone of a decoy's place whose rule watches its kind, if any."""
        if item.zone is not None:
            zone = self.zone(item.zone)
            return zone if rule_for(zone, kind) is not None else None
        assert item.at is not None  # the model allows exactly one of zone and at
        found = zone_at(self.camera, item.at, kind)
        return found[0] if found is not None else None

    def decoy(self, item: Decoy) -> Placed:
        """Place a decoy: standing in its zone (in a zone chosen by the seed, with :data:`DECOY_INSIDE` of its
        box inside the zone), never labelled; ReplayError where a rule of its place watches its kind (it
        would be an offence there, not a decoy)."""
        cutout = self.cutout(item.object, item.cutout)
        ratio = _ratio(cutout, item.height_ratio)
        watched = self._watching(item, cutout.kind)
        if watched is not None:
            raise ReplayError(
                f"decoy {item.id}: zone {watched.id} has a rule watching {cutout.kind} "
                f"({cutout.class_name}): there it is an offence; make it an episode"
            )
        if item.zone is not None:
            zone = self.zone(item.zone)
            point = self.place_in(zone, cutout, ratio, item.start_s, item.end_s, inside=DECOY_INSIDE)
        else:
            assert item.at is not None
            point = item.at
        inside = item.zone or next(
            (z.id for z in self.camera.zones if point_in_polygon(point, z.polygon)), None
        )
        placed = Placed(
            item.id, "decoy", cutout, item.start_s, item.end_s, (point, point), ratio, inside, None, False
        )
        self.placed.append(placed)
        return placed


def plan(
    scenario: Scenario,
    camera: Camera,
    library: CutoutLibrary,
    perspective: PerspectiveFit,
    traffic: Traffic | None = None,
) -> list[Placed]:
    """Every object of the scenario, placed (episodes first, in order, then distractors, then decoys);
    objects set down by the seed's choice avoid places the clip's traffic crosses more than ``MAX_TRAFFIC``
    of the time."""
    planner = Planner(scenario, camera, library, perspective, traffic)
    for episode in scenario.episodes:
        planner.episode(episode)
    for distractor in scenario.distractors:
        planner.distractor(distractor)
    for decoy in scenario.decoys:
        planner.decoy(decoy)
    return planner.placed


def labels_of(placed: list[Placed], camera: Camera, perspective: PerspectiveFit) -> list[Label]:
    """Ground truth: one label per labelled episode, with its object's box (native pixels)."""
    labels = []
    for item in placed:
        if not item.labelled or item.zone is None or item.rule is None:
            continue
        box = item.box_at(item.start_s, perspective)
        labels.append(
            Label(
                camera=camera.id,
                zone=item.zone,
                rule=item.rule,
                start=round(item.start_s, 3),
                end=round(item.end_s, 3),
                box=(round(box[0], 1), round(box[1], 1), round(box[2], 1), round(box[3], 1)),
                note=f"{item.name} {item.cutout.class_name} {item.cutout.id}",
            )
        )
    return labels


def two_wheeler_classes(library: CutoutLibrary) -> list[str]:
    """The two-wheeler classes the library has cut-outs of."""
    return sorted({c.class_name for c in library.cutouts.values() if c.kind == ObjectKind.TWO_WHEELER.value})
