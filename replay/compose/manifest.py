"""The manifest of a composed clip (``manifest.json``): what it was made from (background, cut-outs and
their licences), with which seed and perspective, and where every object stood."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from replay.compose.perspective import PerspectiveFit
from replay.compose.spec import Scenario


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceOut(_Model):
    """A photo a cut-out came from."""

    cutout: str = Field(description="Cut-out id.")
    class_name: str = Field(description="The object's class.")
    image: str = Field(description="The photo's path when the clip was composed.")
    box: tuple[float, float, float, float] = Field(description="The object's box in the photo.")
    licence: str = Field(description="Licence of the photo.")
    origin: str = Field(description="Where the photo comes from.")
    mask: str = Field(description="How the cut-out's mask was made (alpha, grabcut, contrast or box).")


class PlacedOut(_Model):
    """One placed object."""

    name: str = Field(
        description="Episode, distractor or decoy id (a walker: the distractor's id + .walker)."
    )
    role: str = Field(
        description="episode, short_stay, moving_through, walking_bike, walker or decoy (street furniture "
        "standing for long: no offence, never labelled; an incident on it is a false one)."
    )
    cutout: str = Field(description="Cut-out id.")
    start_s: float = Field(description="When it appears, seconds from the clip start.")
    end_s: float = Field(description="When it leaves.")
    path: tuple[tuple[float, float], tuple[float, float]] = Field(
        description="Foot point at start and at end, native pixels (equal for an object standing still)."
    )
    box: tuple[float, float, float, float] = Field(description="Its box when it appears, native pixels.")
    zone: str | None = Field(
        description="Zone its foot point starts in (with a rule watching it; a decoy: the zone it stands "
        "in), if any."
    )
    labelled: bool = Field(description="Whether a ground-truth label was written for it.")


class BackgroundOut(_Model):
    """The recorded background."""

    path: str = Field(description="The clip.")
    sha256: str = Field(description="SHA-256 of the clip's content.")
    size: tuple[int, int] = Field(description="[width, height] of the canvas (the clip's frames).")
    period_s: float = Field(description="Seconds of the clip looped under the scenario.")
    frames: int = Field(description="Frames of the clip kept (sampled) for composing.")


class Manifest(_Model):
    """Everything a composed clip was made from."""

    generator: str = Field(description="What wrote it.")
    camera: str = Field(description="Camera id.")
    native_size: tuple[int, int] = Field(description="The camera's native [width, height] (label pixels).")
    scenario: Scenario = Field(description="The scenario (seed included): composing it again gives the clip.")
    perspective: PerspectiveFit = Field(description="Person height against foot row used for scaling.")
    background: BackgroundOut = Field(description="The looped background clip.")
    frames: int = Field(description="Frames written.")
    frames_folder: str = Field(description="Folder of frames with sidecar times (replay reads it).")
    video: str | None = Field(description="MP4 of the same frames, if written.")
    labels: str = Field(description="Ground-truth labels (replay's label CSV with boxes).")
    placed: list[PlacedOut] = Field(description="Every placed object.")
    sources: list[SourceOut] = Field(description="Every cut-out used, with its photo's licence and origin.")
