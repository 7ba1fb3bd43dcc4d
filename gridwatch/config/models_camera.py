"""Cameras and the zones drawn on their images."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, PositiveInt, StringConstraints, field_validator

from gridwatch.config.geometry import Point, polygon_problem
from gridwatch.config.models_common import ConfigModel, GeoPoint, Identifier
from gridwatch.config.models_rules import RuleKind, ZoneRule
from gridwatch.config.models_sources import CameraSource


def _check_polygon(points: tuple[Point, ...]) -> tuple[Point, ...]:
    problem = polygon_problem(points)
    if problem:
        raise ValueError(problem)
    return points


def _one_rule_per_kind(rules: tuple[ZoneRule, ...]) -> tuple[ZoneRule, ...]:
    kinds = [rule.kind for rule in rules]
    repeated = sorted({str(kind) for kind in kinds if kinds.count(kind) > 1})
    if repeated:
        raise ValueError(f"a zone has one rule of each kind; {', '.join(repeated)} appears more than once")
    return rules


ImagePolygon = Annotated[tuple[Point, ...], AfterValidator(_check_polygon)]

#: A detection model's id: a catalogue id (``centernet-coco80``) or an ensemble of two (``ensemble:A+B``).
ModelId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:+-]*$")
]


class Zone(ConfigModel):
    """A named polygon on one camera's image and the rules active in it."""

    id: Identifier = Field(description="Zone id, unique within its camera.")
    name: str = Field(min_length=1, description="What the zone covers, e.g. 盲道 or 店门前人行道.")
    polygon: ImagePolygon = Field(
        description="[[x, y], ...] in native-resolution pixels, (0, 0) top left; closes by itself."
    )
    muted: bool = Field(default=False, description="Keep evaluating the zone but send nothing while muted.")
    model: ModelId | None = Field(
        default=None,
        description="Detection model for this zone's tiles (a catalogue id, or ensemble:A+B); unset: the "
        "camera's.",
    )
    rules: Annotated[tuple[ZoneRule, ...], AfterValidator(_one_rule_per_kind)] = Field(
        min_length=1, description="Rules active in the zone, at most one of each kind."
    )

    def rule(self, kind: RuleKind | str) -> ZoneRule | None:
        """The zone's rule of a kind, if it has one."""
        wanted = RuleKind(kind)
        return next((rule for rule in self.rules if rule.kind == wanted), None)

    def normalized_polygon(self, width: int, height: int) -> tuple[Point, ...]:
        """The polygon as fractions of an image of the given native size (for drawing on resized images)."""
        return tuple((x / width, y / height) for x, y in self.polygon)


class MotionGate(ConfigModel):
    """Skip samples in which nothing moved, yet send one every keepalive so dwell timers keep running."""

    enabled: bool = Field(default=True, description="Drop samples that barely differ from the previous one.")
    min_changed_fraction: float = Field(
        default=0.002,
        gt=0,
        le=1,
        description="Share of pixels that must change for a sample to count as motion.",
    )
    keepalive_s: float = Field(
        default=60, gt=0, description="Send a sample at least this often in seconds even when nothing moves."
    )


class CameraDetection(ConfigModel):
    """Where in a frame the detector looks.

    Squeezed whole into a 300-512 px model input, a 1080p frame leaves a parked two-wheeler 10-20 px tall:
    too small for an offline model. With ``zone_tiles`` the detector runs on square crops covering the
    camera's zones (and some height above them, where standing objects reach), each at the model's own
    resolution, and maps what it finds back to the frame; tiles of many cameras share the model's batches.
    """

    model: ModelId | None = Field(
        default=None,
        description="Detection model for this camera (a catalogue id, or ensemble:A+B); unset: the "
        "detector worker's.",
    )
    zone_tiles: bool = Field(
        default=True, description="Detect on crops covering the zones (cameras with zones); off: whole frame."
    )
    full_frame: bool = Field(
        default=True,
        description="Also detect on the whole frame: near, large objects that tiles cut stay whole, and "
        "context outside the zones (with the default SSD model, one more run of a quarter of CenterNet's "
        "cost); always on for a camera without zones or with zone_tiles off.",
    )
    tile_scale: float | Literal["auto"] = Field(
        default="auto",
        description="Model-input pixels per frame pixel in a tile (0.1-4): 1 keeps objects at frame size, 2 "
        "magnifies them twice (smaller tiles, more of them); auto: as many as a 1920 px wide frame has "
        "(ingest publishes 1080p cameras at 960 px: 2), at most 4.",
    )
    tile_overlap: float = Field(
        default=0.25,
        ge=0.0,
        lt=0.5,
        description="Share of a tile's side shared with its neighbour, so an object cut by one tile's edge "
        "is whole in the next.",
    )
    headroom: float = Field(
        default=0.15,
        ge=0.0,
        le=1.0,
        description="Height above a zone's top also covered, as a share of the frame height: objects stand "
        "in a zone by their bottom edge and reach up from it.",
    )
    coarse_tiles: bool = Field(
        default=True,
        description="Where tiles magnify 1.5 times or more, also cover the zones with tiles at scale 1: an "
        "object larger than a magnified tile yet small in the whole frame (a bicycle near the camera) is "
        "then seen whole by one of them (on the team's photos: 25 of 27 two-wheelers found with them, 21 "
        "without; a 1080p camera's sidewalk strip: 17 views a frame instead of 13).",
    )
    max_tiles: int = Field(
        default=12,
        ge=1,
        le=64,
        description="Most tiles per frame at the camera's own scale; a zone needing more is covered at a "
        "lower scale (bounded cost). The coarse level (coarse_tiles) comes on top.",
    )
    zoom_static: int = Field(
        default=2,
        ge=0,
        le=8,
        description="Regions that became static foreground (something stopped there) each get one more "
        "view, magnified, so the model classifies what stands there: at most this many per frame; 0: none.",
    )
    zoom: float = Field(
        default=2.5,
        ge=1.0,
        le=8.0,
        description="The zoomed view of a static region is this many times its larger side (context around "
        "it), shown to the model at its own resolution (magnified when smaller).",
    )
    static_threshold: float | None = Field(
        default=None,
        ge=4.0,
        le=128.0,
        description="Grey-level difference (0-255) at which the static-foreground signal counts a pixel as "
        "changed on this camera; unset: the detector's (25). Lower it (e.g. 15) for a high or far camera "
        "whose parked objects barely stand out from the ground (a grey motorbike 15 px tall on asphalt "
        "differs by more than 25 in only 14 % of its box); a busy or flickering scene needs the default.",
    )

    verifier: Path | None = Field(
        default=None,
        description="Folder of a trained verifier (`gridwatch verifier train`) that rescores this camera's "
        "detections of the classes it learnt (e.g. static-foreground blobs, for the trading rule) and drops "
        "those it does not believe; unset: none. A relative path is relative to the working directory.",
    )
    verifier_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Keep a detection the verifier scores at least this (0-1); unset: the verifier's own.",
    )

    @field_validator("tile_scale")
    @classmethod
    def _scale_in_range(cls, value: float | str) -> float | str:
        if isinstance(value, float | int) and not 0.1 < value <= 4.0:
            raise ValueError(f"tile_scale must be auto or a number above 0.1 and at most 4, got {value}")
        return value

    def scale_for(self, frame_width: int) -> float:
        """Model-input pixels per frame pixel in a tile of a ``frame_width`` px wide frame."""
        if self.tile_scale == "auto":
            return min(AUTO_SCALE_MAX, max(1.0, AUTO_SCALE_WIDTH / frame_width))
        return float(self.tile_scale)


#: ``tile_scale: auto`` magnifies frames to this width's pixels (a 1080p camera's native size) ...
AUTO_SCALE_WIDTH = 1920
#: ... but never more than this.
AUTO_SCALE_MAX = 4.0


class SpotException(ConfigModel):
    """A spot on a camera's image where some rules raise nothing: a bike rack, a licensed stall, a fixture
    (an operator's "dismiss this spot"). An object whose bottom-centre stands in it is not followed by those
    rules while the exception lasts."""

    id: Identifier = Field(description="Exception id, unique within its camera.")
    polygon: ImagePolygon = Field(
        description="[[x, y], ...] in native-resolution pixels, (0, 0) top left; closes by itself."
    )
    rules: tuple[RuleKind, ...] = Field(
        default=(), description="The rule kinds it silences (e.g. [ebike_parking]); empty: every rule."
    )
    reason: str = Field(min_length=1, max_length=200, description="Why, e.g. 非机动车停放点 or 持证摊位.")
    until: AwareDatetime | None = Field(
        default=None, description="When it stops applying (ISO 8601 with a time zone); unset: never."
    )
    by: str | None = Field(default=None, max_length=64, description="Who dismissed the spot (a person id).")
    at: AwareDatetime | None = Field(default=None, description="When the spot was dismissed.")

    def silences(self, kind: RuleKind) -> bool:
        """Whether it applies to rules of ``kind``."""
        return not self.rules or kind in self.rules

    def active_at(self, epoch_s: float) -> bool:
        """Whether it still applies at an instant (epoch seconds of a frame)."""
        return self.until is None or epoch_s < self.until.timestamp()


class Camera(ConfigModel):
    """One street camera of the shared pool."""

    id: Identifier = Field(description="Unique camera id, the key of its frames on gw.frames.")
    name: str = Field(min_length=1, description="Where it looks, e.g. 人民路与建设路口东北角.")
    micro_grid: Identifier = Field(description="Id of the micro-grid the camera watches.")
    location: GeoPoint = Field(description="Where the camera stands.")
    resolution: tuple[PositiveInt, PositiveInt] = Field(
        description="Native image size [width, height] in pixels; zone polygons use these coordinates."
    )
    sample_fps: float = Field(gt=0, le=30, description="Frames per second sampled for detection, e.g. 0.5.")
    source: CameraSource = Field(description="Where the images come from.")
    motion_gate: MotionGate = Field(default_factory=MotionGate, description="Skip unchanged samples.")
    enabled: bool = Field(default=True, description="Whether ingest opens the camera at all.")
    muted: bool = Field(default=False, description="Keep evaluating but send no incident from this camera.")
    zones: tuple[Zone, ...] = Field(
        default=(), description="Zones drawn on the image; none means detect nothing."
    )
    detection: CameraDetection = Field(
        default_factory=CameraDetection, description="Where in the frame the detector looks (zone tiles)."
    )
    exceptions: tuple[SpotException, ...] = Field(
        default=(),
        description="Dismissed spots (a bike rack, a licensed stall): rules raise nothing from objects "
        "standing in them; `gridwatch site dismiss` adds one as a reviewed diff.",
    )

    @property
    def width(self) -> int:
        """Native image width in pixels."""
        return self.resolution[0]

    @property
    def height(self) -> int:
        """Native image height in pixels."""
        return self.resolution[1]

    @property
    def sample_interval_s(self) -> float:
        """Seconds between two samples."""
        return 1.0 / self.sample_fps

    def zone(self, zone_id: str) -> Zone:
        """The zone with an id; KeyError naming the camera when there is none."""
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        raise KeyError(f"camera {self.id} has no zone {zone_id!r}")
