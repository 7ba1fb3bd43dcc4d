"""A camera's rule state: small, JSON-serialisable, so that it lives in a faust table and is restored.

Everything is a plain dataclass of floats, ints and strings; ``to_json``/``from_json`` use compact lists
so that the changelog record of a busy camera stays a few hundred bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from streams.rules.geometry import BoxXYXY

STATE_VERSION = 2  # 2: candidates keep their sample counts and colour signature


@dataclass(slots=True)
class Candidate:
    """One object standing (or about to stand) in a zone, matched across samples by where it stands and how
    it looks, with the evidence of its current stationary stretch."""

    box: BoxXYXY  # latest matched box
    anchor_x: float  # bottom-centre where the current stationary stretch began
    anchor_y: float
    anchor_h: float  # box height then: the scale of "moved"
    first_seen: float  # start of the current stationary stretch (epoch s)
    last_seen: float  # latest sample with evidence of it (epoch s)
    seen: int  # samples with a matching detection so far
    missed: int  # consecutive samples without evidence
    samples: int = 1  # samples since first_seen, this one included
    support: int = 1  # of those, samples with evidence: a matching detection or static foreground over it
    look: tuple[int, ...] = ()  # colour signature (a running average of its detections'); () unknown

    @property
    def presence(self) -> float:
        """Share of the samples of its stationary stretch in which it was there (0..1)."""
        return self.support / max(1, self.samples)

    def confirmed(self, inertia: int) -> bool:
        """Seen on enough samples to count as in the zone."""
        return self.seen >= inertia

    def present(self, inertia: int) -> bool:
        """Counts as in the zone now: confirmed, and not missing on ``inertia`` samples in a row."""
        return self.seen >= inertia and self.missed < inertia

    def to_json(self) -> list[Any]:
        return [
            *self.box,
            self.anchor_x,
            self.anchor_y,
            self.anchor_h,
            self.first_seen,
            self.last_seen,
            self.seen,
            self.missed,
            self.samples,
            self.support,
            bytes(self.look).hex(),
        ]

    @classmethod
    def from_json(cls, raw: list[Any]) -> Candidate:
        x1, y1, x2, y2, ax, ay, ah, first, last, seen, missed, samples, support, look = raw
        return cls(
            (x1, y1, x2, y2),
            ax,
            ay,
            ah,
            first,
            last,
            int(seen),
            int(missed),
            int(samples),
            int(support),
            tuple(bytes.fromhex(look)),
        )


@dataclass(slots=True)
class Episode:
    """An open incident of one rule in one zone."""

    incident_id: str
    started_at: float  # when the dwell time was met and ``new`` was sent
    origin: float  # first_seen of the longest-standing offender at start: dwell counts from here
    revision: int  # revision of the last message sent
    last_present: float  # last sample with an offender present
    last_update: float  # time of the last message sent
    count: int  # object count of the last message sent

    def to_json(self) -> list[Any]:
        return [
            self.incident_id,
            self.started_at,
            self.origin,
            self.revision,
            self.last_present,
            self.last_update,
            self.count,
        ]

    @classmethod
    def from_json(cls, raw: list[Any]) -> Episode:
        incident_id, started_at, origin, revision, last_present, last_update, count = raw
        return cls(str(incident_id), started_at, origin, int(revision), last_present, last_update, int(count))


@dataclass(slots=True)
class ZoneRuleState:
    """State of one rule in one zone."""

    objects: list[Candidate] = field(default_factory=list)  # offending kinds: two-wheelers, goods, carts
    persons: list[Candidate] = field(default_factory=list)  # stationary people (mobile vendor rule only)
    episode: Episode | None = None
    cooldown_until: float = 0.0

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"o": [c.to_json() for c in self.objects]}
        if self.persons:
            raw["p"] = [c.to_json() for c in self.persons]
        if self.episode is not None:
            raw["e"] = self.episode.to_json()
        if self.cooldown_until:
            raw["cd"] = self.cooldown_until
        return raw

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ZoneRuleState:
        episode = raw.get("e")
        return cls(
            objects=[Candidate.from_json(c) for c in raw.get("o", ())],
            persons=[Candidate.from_json(c) for c in raw.get("p", ())],
            episode=None if episode is None else Episode.from_json(episode),
            cooldown_until=float(raw.get("cd", 0.0)),
        )


@dataclass(slots=True)
class CameraState:
    """Rule state of one camera: the last frame applied and each zone rule's state (key ``zone/rule``)."""

    last_frame_at: float = -1.0
    zones: dict[str, ZoneRuleState] = field(default_factory=dict)

    def signature(self) -> tuple[object, ...]:
        """What the rules follow, without timestamps: changes when a candidate appears, is confirmed or
        goes missing, or an episode opens, updates or ends."""
        return tuple(
            (
                key,
                tuple((c.seen > 1, c.missed) for c in zone.objects),
                tuple((c.seen > 1, c.missed) for c in zone.persons),
                None if zone.episode is None else (zone.episode.incident_id, zone.episode.revision),
            )
            for key, zone in self.zones.items()
        )

    def idle(self) -> bool:
        """Whether no zone follows anything: no candidate, no stationary person, no open episode.

        An idle state differs from a later idle state with the same signature only in ``last_frame_at``
        (cooldowns are set when an episode ends, a change of signature), so either replays frames alike."""
        return all(
            not zone.objects and not zone.persons and zone.episode is None for zone in self.zones.values()
        )

    def open_incidents(self) -> dict[str, str]:
        """Incident id of each zone rule with an open episode."""
        return {key: zone.episode.incident_id for key, zone in self.zones.items() if zone.episode is not None}

    def to_json(self) -> dict[str, Any]:
        return {
            "v": STATE_VERSION,
            "t": self.last_frame_at,
            "z": {key: zone.to_json() for key, zone in self.zones.items()},
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> CameraState:
        if raw.get("v") != STATE_VERSION:
            raise ValueError(f"camera state version {raw.get('v')!r}, this code reads {STATE_VERSION}")
        return cls(
            last_frame_at=float(raw["t"]),
            zones={key: ZoneRuleState.from_json(zone) for key, zone in raw["z"].items()},
        )

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> CameraState:
        """The state in a table value; a fresh state for None (a camera never seen)."""
        if raw is None:
            return cls()
        return cls.from_json(json.loads(raw))
