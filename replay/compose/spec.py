"""The scenario file: what to place in a camera's picture, where and when (YAML or JSON).

Example (a bicycle parked for 3 minutes in zone ``z-sidewalk``, a scooter stopping 20 s, a bicycle walked
across the picture by a person)::

    camera: cam-0003
    duration_s: 900
    fps: 1
    seed: 7
    start: "2026-03-02T10:00:00+08:00"
    episodes:
      - {id: e1, object: bicycle, zone: z-sidewalk, start_s: 60, duration_s: 180}
      - {id: e2, object: scooter, at: [820, 640], start_s: 400, duration_s: 200}
    distractors:
      - {id: d1, kind: short_stay, object: scooter, zone: z-sidewalk, start_s: 300, duration_s: 20}
      - {id: d2, kind: walking_bike, object: bicycle, path: [[100, 700], [1500, 650]], start_s: 500,
         duration_s: 25}
    decoys:
      - {id: x1, object: wheelie_bin, zone: z-sidewalk, start_s: 600, duration_s: 180}

Positions are foot points (where the object stands: the bottom centre of its box) in the camera's native
pixels. An episode is labelled ground truth; a distractor is not (it must raise no incident); nor is a decoy:
street furniture (a wheelie bin, a post box) that stands in a zone for long and is no offence, so an incident
it causes is a false one (a rule counting anything that stands still raises it; a verifier must drop it).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from replay.errors import ReplayError
from replay.times import parse_iso

Point = tuple[float, float]
DEFAULT_START = "2026-03-02T10:00:00+08:00"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Episode(_Model):
    """An object that stands still at one place for a while: what the rules should find."""

    id: str = Field(min_length=1, description="Name of the episode (in labels' notes and the manifest).")
    object: str = Field(
        min_length=1,
        description="Class of the object (bicycle, scooter, motorcycle, chair...): a cut-out of it.",
    )
    cutout: str | None = Field(default=None, description="A particular cut-out id; unset: one of the class.")
    zone: str | None = Field(default=None, description="Zone to stand in (a place chosen in it by the seed).")
    at: Point | None = Field(
        default=None, description="Foot point [x, y] in native pixels (instead of zone)."
    )
    start_s: float = Field(ge=0, description="When it appears, seconds from the clip's start.")
    duration_s: float = Field(gt=0, description="How long it stands there, seconds.")
    height_ratio: float | None = Field(
        default=None, gt=0, description="Its height over a person's at the same place; unset: its class's."
    )
    labelled: bool = Field(default=True, description="Write a ground-truth label for it.")

    @model_validator(mode="after")
    def _one_place(self) -> Self:
        if (self.zone is None) == (self.at is None):
            raise ValueError("give exactly one of zone and at")
        return self

    @property
    def end_s(self) -> float:
        """When it leaves."""
        return self.start_s + self.duration_s


class DistractorKind(StrEnum):
    """What kind of thing must not raise an incident."""

    SHORT_STAY = "short_stay"  # stands still for less than the dwell time
    MOVING_THROUGH = "moving_through"  # a two-wheeler moved across the picture, never still
    WALKING_BIKE = "walking_bike"  # a person walking a bike along a path


class Distractor(_Model):
    """Something that looks like an episode but is not one."""

    id: str = Field(min_length=1, description="Name of the distractor.")
    kind: DistractorKind = Field(description="short_stay, moving_through or walking_bike.")
    object: str = Field(default="bicycle", min_length=1, description="Class of the object.")
    cutout: str | None = Field(default=None, description="A particular cut-out id; unset: one of the class.")
    person: str | None = Field(
        default=None, description="walking_bike: a particular person cut-out id; unset: one of class person."
    )
    zone: str | None = Field(
        default=None,
        description="short_stay: the zone to stand in; moving: the zone the path crosses (left to right).",
    )
    at: Point | None = Field(default=None, description="short_stay: foot point [x, y] in native pixels.")
    path: tuple[Point, Point] | None = Field(
        default=None, description="Moving kinds: from and to foot points in native pixels (instead of zone)."
    )
    start_s: float = Field(ge=0, description="When it appears, seconds from the clip's start.")
    duration_s: float = Field(gt=0, description="How long it is in the picture, seconds.")
    height_ratio: float | None = Field(
        default=None, gt=0, description="Height over a person's; unset: class's."
    )

    @model_validator(mode="after")
    def _placed(self) -> Self:
        if self.kind is DistractorKind.SHORT_STAY:
            if (self.zone is None) == (self.at is None) or self.path is not None:
                raise ValueError("a short_stay gives exactly one of zone and at (no path)")
        elif (self.zone is None) == (self.path is None) or self.at is not None:
            raise ValueError(f"a {self.kind.value} gives exactly one of zone and path (no at)")
        return self

    @property
    def end_s(self) -> float:
        """When it leaves."""
        return self.start_s + self.duration_s


class Decoy(_Model):
    """Street furniture standing in a zone for long (a wheelie bin put out, a post box): no offence, never
    labelled, so whatever incident it causes is counted false."""

    id: str = Field(min_length=1, description="Name of the decoy (in the manifest).")
    object: str = Field(
        min_length=1,
        description="Class of the object (wheelie_bin, garbage_can, post_box...): a cut-out of it, of a kind "
        "no rule of its zone watches.",
    )
    cutout: str | None = Field(default=None, description="A particular cut-out id; unset: one of the class.")
    zone: str | None = Field(default=None, description="Zone to stand in (a place chosen in it by the seed).")
    at: Point | None = Field(
        default=None, description="Foot point [x, y] in native pixels (instead of zone)."
    )
    start_s: float = Field(ge=0, description="When it appears, seconds from the clip's start.")
    duration_s: float = Field(gt=0, description="How long it stands there, seconds.")
    height_ratio: float | None = Field(
        default=None, gt=0, description="Its height over a person's at the same place; unset: its class's."
    )

    @model_validator(mode="after")
    def _one_place(self) -> Self:
        if (self.zone is None) == (self.at is None):
            raise ValueError("give exactly one of zone and at")
        return self

    @property
    def end_s(self) -> float:
        """When it leaves."""
        return self.start_s + self.duration_s


class Scenario(_Model):
    """Everything placed in one composed clip."""

    camera: str = Field(min_length=1, description="Camera id of the site (zones, native size).")
    duration_s: float = Field(gt=0, description="Length of the composed clip, seconds.")
    fps: float = Field(gt=0, le=30, description="Frames per second of the composed clip.")
    seed: int = Field(default=0, description="Seed of every random choice (places, cut-outs, jitter).")
    start: str = Field(
        default=DEFAULT_START, description="Capture time of the first frame, ISO 8601 with zone."
    )
    episodes: tuple[Episode, ...] = Field(default=(), description="Objects that stand still: ground truth.")
    distractors: tuple[Distractor, ...] = Field(default=(), description="Things that must raise no incident.")
    decoys: tuple[Decoy, ...] = Field(
        default=(), description="Street furniture standing for long: no offence, never labelled."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        try:
            parse_iso(self.start)
        except ValueError as error:
            raise ValueError(f"start: {error}") from None
        ids = [e.id for e in self.episodes] + [d.id for d in self.distractors] + [d.id for d in self.decoys]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"ids must be unique: {', '.join(repeated)} repeated")
        late = [e.id for e in self.episodes if e.start_s >= self.duration_s]
        late += [d.id for d in self.distractors if d.start_s >= self.duration_s]
        late += [d.id for d in self.decoys if d.start_s >= self.duration_s]
        if late:
            raise ValueError(f"{', '.join(late)} start after the clip ends ({self.duration_s:g} s)")
        return self

    @property
    def start_epoch(self) -> float:
        """Epoch seconds of the first frame."""
        return parse_iso(self.start)


def load_scenario(path: Path) -> Scenario:
    """A scenario from a YAML or JSON file; ReplayError naming the field on a problem."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReplayError(f"scenario file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ReplayError(f"scenario file {path} cannot be read: {error}") from None
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'scenario'}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise ReplayError(f"{path}: {problems}") from None


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML (every choice resolved: it composes the same clip again)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
