"""The rule engine: a camera's state and one frame in, the incident transitions out.

``SiteRules.apply`` is the whole contract the faust agent and offline replay use. It is pure: the clock
is the frame's capture time, the state is a value, nothing is read or written outside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from gridwatch.config import Camera, SiteConfig
from gridwatch.config.geometry import point_in_polygon
from gridwatch.detections import STATIC_FOREGROUND_CLASS, Detections, ObjectKind
from gridwatch.messages.detections import FrameDetections
from gridwatch.messages.incidents import Incident, Lifecycle
from streams.rules import episode
from streams.rules.geometry import bottom_centre
from streams.rules.registry import logic_for
from streams.rules.state import CameraState, ZoneRuleState
from streams.rules.stationary import track
from streams.rules.tuning import RuleTuning
from streams.rules.zones import ZoneRuleSpec, compile_zone_rule


@dataclass(frozen=True, slots=True)
class Step:
    """The result of applying one frame: the camera's next state and the incidents to publish, in order."""

    state: CameraState
    incidents: list[Incident]
    applied: bool  # False: the frame was not newer than the state (a redelivery) and changed nothing


class CameraRules:
    """Every zone rule of one camera."""

    def __init__(self, camera: Camera, tz: tzinfo, tuning: RuleTuning) -> None:
        self.camera = camera
        self.tuning = tuning
        self.specs: tuple[ZoneRuleSpec, ...] = tuple(
            compile_zone_rule(
                camera,
                zone,
                rule,
                tz,
                logic_for(rule, tuning),
                match_iou=tuning.match_iou,
                move_tolerance=tuning.move_tolerance,
                static_cover=tuning.static_cover,
            )
            for zone in camera.zones
            for rule in zone.rules
        )
        self._keys = frozenset(spec.key for spec in self.specs)
        #: Per rule kind, the dismissed spots that silence it.
        self._spots = {
            spec.kind: tuple(spot for spot in camera.exceptions if spot.silences(spec.kind))
            for spec in self.specs
        }
        #: The shortest clear time of the camera's rules (how stale a restored state may safely be).
        self.min_clear_s = min((spec.rule.clear_s for spec in self.specs), default=60.0)

    @staticmethod
    def _static(detections: Detections) -> Detections:
        """The frame's static-foreground boxes: evidence that what stood there still stands."""
        return detections.select(
            np.array([n == STATIC_FOREGROUND_CLASS for n in detections.class_name], bool)
        )

    @staticmethod
    def _earliest(spec: ZoneRuleSpec, state: ZoneRuleState, objects: Detections, now: float) -> float:
        """How far back an object that had already stood still may start its dwell: not before the zone's
        last episode ended (what stood through it was that episode's), nor before the rule's active window
        opened (dwell counts from the window's start)."""
        earliest = state.cooldown_until - spec.rule.cooldown_s if state.cooldown_until else 0.0
        longest = float(objects.stood.max()) if len(objects) else 0.0
        if longest > 0 and spec.rule.active_hours and not spec.active_at(now - longest):
            return now
        return earliest

    def step(self, state: CameraState, frame: FrameDetections) -> Step:
        """Advance ``state`` (in place) by one frame; a frame not newer than the state is ignored."""
        now = frame.captured_at
        if now <= state.last_frame_at:
            return Step(state, [], applied=False)
        state.last_frame_at = now
        for key in [key for key in state.zones if key not in self._keys]:
            del state.zones[key]  # the zone or rule left the configuration
        # The rules work in the camera's native pixels, where its zones are drawn.
        detections = frame.detections.scaled(
            self.camera.width / frame.frame_width, self.camera.height / frame.frame_height
        )
        incidents: list[Incident] = []
        for spec in self.specs:
            zone_state = state.zones.get(spec.key)
            if zone_state is None:
                zone_state = state.zones[spec.key] = ZoneRuleState()
            incidents.extend(self._step_zone(spec, zone_state, now, detections, frame.evidence_url))
        model_id = frame.model.id
        incidents = [
            incident
            if incident.lifecycle is Lifecycle.END
            else incident.model_copy(update={"model_id": model_id})
            for incident in incidents
        ]
        return Step(state, incidents, applied=True)

    def _outside_spots(self, spec: ZoneRuleSpec, detections: Detections, now: float) -> Detections:
        """The detections not standing (bottom-centre) in a dismissed spot that silences ``spec``'s rule."""
        spots = [spot for spot in self._spots.get(spec.kind, ()) if spot.active_at(now)]
        if not spots or not len(detections):
            return detections
        keep = [
            not any(point_in_polygon(bottom_centre(box), spot.polygon) for spot in spots)
            for box in detections.boxes()
        ]
        return detections if all(keep) else detections.select(np.array(keep, bool))

    def _step_zone(
        self,
        spec: ZoneRuleSpec,
        state: ZoneRuleState,
        now: float,
        detections: Detections,
        evidence_url: str | None,
    ) -> list[Incident]:
        if not spec.active_at(now):
            # Outside active hours nothing is followed: dwell counts from the window's start.
            ended = [episode.close(spec, state, now, evidence_url)] if state.episode else []
            state.objects.clear()
            state.persons.clear()
            return ended
        detections = self._outside_spots(spec, detections, now)
        objects, persons = spec.logic.select(spec, detections)
        static = self._static(detections) if spec.rule.static_support else None
        passers_by = detections.of_kinds(ObjectKind.PERSON)
        state.objects = track(
            state.objects,
            objects,
            now,
            spec.matching,
            static,
            passers_by,
            self._earliest(spec, state, objects, now),
        )
        if len(persons) or state.persons:
            state.persons = track(state.persons, persons, now, spec.matching)
        inertia = spec.rule.inertia
        present = any(candidate.present(inertia) for candidate in state.objects)
        offenders = spec.logic.offenders(spec, state, now)
        offenders.sort(key=lambda item: -item[1])
        return episode.advance(
            spec,
            state,
            now,
            present,
            offenders,
            evidence_url,
            self.tuning.update_interval_s,
            self.tuning.max_boxes,
        )


class SiteRules:
    """The rules of every camera of a site, compiled once."""

    def __init__(self, site: SiteConfig, tuning: RuleTuning | None = None) -> None:
        self.tuning = tuning or RuleTuning()
        tz = site.site.tz
        self._cameras = {camera.id: CameraRules(camera, tz, self.tuning) for camera in site.cameras}

    def camera(self, camera_id: str) -> CameraRules | None:
        """The compiled rules of a camera, or None for a camera the site does not have."""
        return self._cameras.get(camera_id)

    def apply(self, state: CameraState, message: FrameDetections) -> Step:
        """Advance a camera's state by one detections message (KeyError for an unknown camera)."""
        rules = self._cameras.get(message.camera_id)
        if rules is None:
            raise KeyError(f"camera {message.camera_id} is not in the site configuration")
        return rules.step(state, message)

    def replay(self, messages: Sequence[FrameDetections]) -> list[Incident]:
        """Every incident a sequence of messages (each camera's in order) produces from a fresh state."""
        states: dict[str, CameraState] = {}
        out: list[Incident] = []
        for message in messages:
            state = states.setdefault(message.camera_id, CameraState())
            out.extend(self.apply(state, message).incidents)
        return out
