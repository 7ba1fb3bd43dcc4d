"""Scenarios generated for a camera's zones (``--auto N``): N parked-object episodes and N distractors (short
stays, two-wheelers moved through, people walking bikes, in turn), and with ``--decoys K`` K decoys (street
furniture standing for long: no offence), spread over the zones that watch the episodes' objects and
scheduled so that each can be judged on its own.

Nothing starts in the first ``LEAD_S`` seconds (the rules' inertia), nor, in a zone whose rule reads static
foreground (trading rules that open episodes on it, parking rules that take its support), before the
background model's warm-up is over: to a background model an object there from the first frame is part of
the street. A real camera has been running for hours when something is put down; a clip starts with it.

In one zone things follow each other: after an episode the zone is left clear for the rule's ``clear_s``
(so its incident ends) and its ``cooldown_s`` (so the next one may open), plus a margin of a few samples;
a short stay lasts under half the dwell. A decoy stands as long as an episode (2-3 dwells: long enough for
any rule that counts what stands still to raise an incident, and no longer than the offences, so that its
length does not give it away) and is followed by the same clear and cooldown: a zone holds one incident at a
time, so a decoy standing beside an episode would only merge into the episode's incident. A scenario that
does not fit the clip's length is refused with what it would need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detectors.static_foreground import StaticForegroundSettings
from gridwatch.config import Camera, Zone
from gridwatch.config.models_rules import RuleBase
from gridwatch.detections import ObjectKind
from replay.compose.library import CutoutLibrary
from replay.compose.sizes import DECOY_KIND, kind_of, object_class
from replay.compose.spec import DEFAULT_START, Decoy, Distractor, DistractorKind, Episode, Scenario
from replay.errors import ReplayError

#: Seconds kept free at the start (the rules' inertia) and at the end of the clip.
LEAD_S, TAIL_S = 10.0, 10.0
DISTRACTOR_KINDS = (DistractorKind.SHORT_STAY, DistractorKind.MOVING_THROUGH, DistractorKind.WALKING_BIKE)
#: How long an episode, and a decoy, stands: between these many dwells of its zone's rule.
EPISODE_DWELLS = (2.0, 3.0)


@dataclass
class _Lane:
    """One zone's timeline."""

    zone: Zone
    rule: RuleBase
    free_at: float


def lead_s(rule: RuleBase) -> float:
    """Seconds from the clip's start before the first thing in a zone with this rule: the rules' inertia,
    and where the rule reads static foreground (to open episodes, or as support) the background model's
    warm-up too."""
    return LEAD_S + (StaticForegroundSettings().warmup_s if rule.uses_static_foreground else 0.0)


def _lanes(camera: Camera, kind: ObjectKind) -> list[_Lane]:
    lanes = []
    for zone in camera.zones:
        for rule in zone.rules:
            if kind in rule.kinds:
                lanes.append(_Lane(zone, rule, lead_s(rule)))
                break
    return lanes


def decoy_classes(library: CutoutLibrary) -> list[str]:
    """The library's classes of street furniture (kind ``other`` with a known height): what ``--decoys``
    puts down when no classes are named."""
    return sorted(
        {
            c.class_name
            for c in library.cutouts.values()
            if c.kind == DECOY_KIND.value and object_class(c.class_name) is not None
        }
    )


def _decoy_pool(lanes: list[_Lane], library: CutoutLibrary, wanted: Sequence[str]) -> list[str]:
    """The classes decoys are drawn from (``wanted``, or every decoy class of the library); ReplayError
    when there is none, or one is missing or is an object a watching zone's rule would rightly report."""
    pool = sorted({w.strip() for w in wanted if w.strip()}) or decoy_classes(library)
    if not pool:
        raise ReplayError(
            "the cut-out library has no street furniture for decoys (wheelie_bin, post_box...: build it "
            "with `gridwatch replay cutouts --builtin`, or name classes with --decoy-objects)"
        )
    for name in pool:
        if not library.of_class(name):
            raise ReplayError(f"no cut-out of decoy class {name!r} in the library")
        offending = [lane.zone.id for lane in lanes if any(kind_of(name) in r.kinds for r in lane.zone.rules)]
        if offending:
            raise ReplayError(
                f"decoy class {name!r} is a {kind_of(name).value}, which the rules of zone(s) "
                f"{', '.join(offending)} watch: it would be an offence, not a decoy"
            )
    return pool


def _order(episodes: int, distractors: int, decoys: int) -> list[str]:
    """e (episode), d (distractor), x (decoy) in turn, the longer lists' rest at the end."""
    order: list[str] = []
    for i in range(max(episodes, distractors, decoys)):
        order += ["e"] if i < episodes else []
        order += ["d"] if i < distractors else []
        order += ["x"] if i < decoys else []
    return order


def auto_scenario(
    camera: Camera,
    library: CutoutLibrary,
    *,
    episodes: int,
    distractors: int | None = None,
    decoys: int = 0,
    decoy_objects: Sequence[str] = (),
    duration_s: float,
    fps: float,
    seed: int,
    start: str = DEFAULT_START,
    kind: ObjectKind = ObjectKind.TWO_WHEELER,
) -> Scenario:
    """A scenario with ``episodes`` episodes and ``distractors`` (default as many) distractors of ``kind``
    objects (two-wheelers, or trading objects: short stays only) in the camera's zones watching them, and
    ``decoys`` decoys of ``decoy_objects`` (default: the library's street furniture) in the same zones."""
    lanes = _lanes(camera, kind)
    if not lanes:
        raise ReplayError(f"camera {camera.id} has no zone with a rule watching {kind.value}")
    classes = sorted({c.class_name for c in library.cutouts.values() if c.kind == kind.value})
    if not classes:
        raise ReplayError(
            f"the cut-out library has no {kind.value} (build one with `gridwatch replay cutouts`)"
        )
    if decoys < 0:
        raise ReplayError(f"--decoys must be 0 or more, not {decoys}")
    furniture = _decoy_pool(lanes, library, decoy_objects) if decoys else []
    rng = np.random.default_rng(seed)
    count = episodes if distractors is None else distractors
    kinds = DISTRACTOR_KINDS if kind is ObjectKind.TWO_WHEELER else (DistractorKind.SHORT_STAY,)
    gap = 3.0 / fps  # a few samples between one thing and the next
    made_episodes: list[Episode] = []
    made_distractors: list[Distractor] = []
    made_decoys: list[Decoy] = []
    for what in _order(episodes, count, decoys):
        lane = min(lanes, key=lambda lane_: lane_.free_at)
        rule = lane.rule
        begin = lane.free_at + float(rng.uniform(0, 10))
        pool = furniture if what == "x" else classes
        obj = pool[int(rng.integers(len(pool)))]
        if what == "x":
            length = float(rng.uniform(*EPISODE_DWELLS)) * rule.dwell_s
            made_decoys.append(
                Decoy(
                    id=f"x{len(made_decoys) + 1}",
                    object=obj,
                    zone=lane.zone.id,
                    start_s=round(begin, 1),
                    duration_s=round(length, 1),
                )
            )
            # It raises an incident as an episode would: the zone then needs its clear time and cooldown.
            lane.free_at = begin + length + rule.clear_s + rule.cooldown_s + gap
        elif what == "e":
            length = float(rng.uniform(*EPISODE_DWELLS)) * rule.dwell_s
            made_episodes.append(
                Episode(
                    id=f"e{len(made_episodes) + 1}",
                    object=obj,
                    zone=lane.zone.id,
                    start_s=round(begin, 1),
                    duration_s=round(length, 1),
                )
            )
            lane.free_at = begin + length + rule.clear_s + rule.cooldown_s + gap
        else:
            which = kinds[len(made_distractors) % len(kinds)]
            if which is DistractorKind.SHORT_STAY:
                length = max(3.0 / fps, float(rng.uniform(0.25, 0.45)) * rule.dwell_s)
            else:
                length = float(rng.uniform(12, 24))
            made_distractors.append(
                Distractor(
                    id=f"d{len(made_distractors) + 1}",
                    kind=which,
                    object=obj,
                    zone=lane.zone.id,
                    start_s=round(begin, 1),
                    duration_s=round(length, 1),
                )
            )
            # Clear time follows a short stay too: the zone must be idle before the next thing.
            lane.free_at = begin + length + rule.clear_s + gap
    needed = max(lane.free_at for lane in lanes)
    ends = [e.end_s for e in made_episodes] + [d.end_s for d in made_distractors]
    ends += [x.end_s for x in made_decoys]
    last_end = max(ends, default=0.0)
    if last_end > duration_s - TAIL_S:
        with_decoys = f", {count} distractors and {decoys} decoys" if decoys else f" and {count} distractors"
        raise ReplayError(
            f"{episodes} episodes{with_decoys} need about {needed:.0f} s in the "
            f"{len(lanes)} zone(s) of camera {camera.id} watching {kind.value} (dwell, clear and cooldown "
            f"of each), but the clip is {duration_s:.0f} s: lengthen --duration, use fewer, or lower the "
            "zones' cooldown_s"
        )
    return Scenario(
        camera=camera.id,
        duration_s=duration_s,
        fps=fps,
        seed=seed,
        start=start,
        episodes=tuple(made_episodes),
        distractors=tuple(made_distractors),
        decoys=tuple(made_decoys),
    )
