"""Zone rules: what has to stand still in a zone, for how long, before it is an incident.

Every duration is in seconds of capture time, never a frame count. The one count is ``inertia``: a number of
consecutive *samples* (observations at the camera's ``sample_fps``), because it is about how many looks agree.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from gridwatch.config.models_common import ConfigModel, DailyWindow
from gridwatch.detections import ObjectKind
from gridwatch.messages.incidents import RuleKind

__all__ = ["ObjectKind", "RuleKind"]  # the shared vocabularies, re-exported for configuration users


class BoxUnit(StrEnum):
    """How a box size is measured."""

    PX = "px"
    FRACTION = "fraction"


class BoxSize(ConfigModel):
    """A box size, in pixels of the camera's native resolution or as a fraction of the image width/height."""

    width: float = Field(gt=0, description="Box width, in the unit below.")
    height: float = Field(gt=0, description="Box height, in the unit below.")
    unit: BoxUnit = Field(
        default=BoxUnit.PX, description="px: native-resolution pixels; fraction: of the image."
    )

    @model_validator(mode="after")
    def _fraction_at_most_one(self) -> Self:
        if self.unit is BoxUnit.FRACTION and (self.width > 1 or self.height > 1):
            raise ValueError("a fraction box size is at most 1 in width and height")
        return self

    def in_pixels(self, image_width: int, image_height: int) -> tuple[float, float]:
        """(width, height) in pixels of an image of the given size."""
        if self.unit is BoxUnit.PX:
            return self.width, self.height
        return self.width * image_width, self.height * image_height


class RuleBase(ConfigModel):
    """Parameters every zone rule shares."""

    dwell_s: float = Field(
        gt=0, description="Seconds an object must stand in the zone before it is an incident."
    )
    min_box: BoxSize | None = Field(default=None, description="Ignore detections smaller than this.")
    max_box: BoxSize | None = Field(default=None, description="Ignore detections larger than this.")
    inertia: int = Field(
        default=2,
        ge=1,
        le=20,
        description=(
            "Consecutive samples an object must be seen inside (or outside) the zone before it counts as "
            "entered (or left); a count of observations, not of video frames."
        ),
    )
    clear_s: float = Field(
        default=60, gt=0, description="Seconds the zone must stay clear to end the episode."
    )
    cooldown_s: float = Field(
        default=1800,
        ge=0,
        description="Seconds after an episode ends before the zone may open a new incident.",
    )
    min_count: int = Field(
        default=1, ge=1, description="Objects that must dwell together to make an incident."
    )
    active_hours: tuple[DailyWindow, ...] = Field(
        default=(), description="Local windows when the rule runs (may cross midnight); always if empty."
    )
    min_presence: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the samples since an object stopped in which it must have been there (a "
        "detection on it, or static foreground covering it) for its dwell to count: sightings of different "
        "passers-by at one spot never add up to a parked object.",
    )
    same_look: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="How alike (colour-histogram intersection, 0-1) two sightings must look to be the same "
        "object; 0 matches by position only.",
    )
    static_support: bool = Field(
        default=True,
        description="Count static foreground (pixels that stopped changing) over an object as evidence it "
        "still stands there when the model misses it; the detector then computes static foreground for "
        "the camera.",
    )

    @property
    def uses_static_foreground(self) -> bool:
        """Whether the rule reads the model-free static-foreground signal (the detector computes it then)."""
        return self.static_support

    @model_validator(mode="after")
    def _box_sizes_ordered(self) -> Self:
        low, high = self.min_box, self.max_box
        if low and high and low.unit is high.unit and (low.width > high.width or low.height > high.height):
            raise ValueError("min_box is larger than max_box")
        return self


class EbikeParkingRule(RuleBase):
    """Two-wheelers parked in a no-parking zone (06 非机动车乱停放)."""

    kind: Literal[RuleKind.EBIKE_PARKING] = Field(description="Rule kind: ebike_parking.")
    kinds: tuple[ObjectKind, ...] = Field(
        default=(ObjectKind.TWO_WHEELER,),
        min_length=1,
        description="Object kinds (as detections report them) that count as parked vehicles.",
    )
    static_objects: bool = Field(
        default=False,
        description="Also count a static-foreground blob (something that appeared and stands still) in the "
        "zone as a parked vehicle when no detection names it, within min_box..max_box (max_box required) "
        "and with no person detected over it: for cameras mounted too high or too far for the model to "
        "name a two-wheeler. Its dwell counts from its first static sample, so an incident comes the "
        "static-foreground model's min_static_s later than for a detected vehicle.",
    )

    @property
    def uses_static_foreground(self) -> bool:
        """Whether the rule reads the model-free static-foreground signal (the detector computes it then)."""
        return self.static_support or self.static_objects

    @model_validator(mode="after")
    def _static_objects_bounded(self) -> Self:
        if self.static_objects and self.max_box is None:
            raise ValueError(
                "static_objects needs max_box: without an upper size bound a parked car, a stall or a "
                "shadow would count as a two-wheeler"
            )
        return self


class TradingSignal(StrEnum):
    """What evidence a trading rule uses."""

    DETECTIONS = "detections"
    STATIC_FOREGROUND = "static_foreground"
    BOTH = "both"


class StorefrontTradingRule(RuleBase):
    """Goods, racks, tables or stalls standing beyond a shop's door line (04 店外经营)."""

    kind: Literal[RuleKind.STOREFRONT_TRADING] = Field(description="Rule kind: storefront_trading.")
    kinds: tuple[ObjectKind, ...] = Field(
        default=(ObjectKind.TRADING_OBJECT,),
        min_length=1,
        description="Object kinds (as detections report them) that count as goods, racks, tables, stalls.",
    )
    signal: TradingSignal = Field(
        default=TradingSignal.DETECTIONS,
        description=(
            "detections: detected objects; static_foreground: pixels that stopped changing against the "
            "background; both: either signal opens the episode."
        ),
    )
    static_min_fraction: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Share of the zone covered by static foreground that counts as occupied.",
    )

    @property
    def uses_static_foreground(self) -> bool:
        """Whether the rule reads the static-foreground signal."""
        return self.static_support or self.signal in (TradingSignal.STATIC_FOREGROUND, TradingSignal.BOTH)


class MobileVendorRule(RuleBase):
    """A vendor's cart or stall stationary on the street (01 无照经营游商)."""

    kind: Literal[RuleKind.MOBILE_VENDOR] = Field(description="Rule kind: mobile_vendor.")
    kinds: tuple[ObjectKind, ...] = Field(
        default=(ObjectKind.TRADING_OBJECT,),
        min_length=1,
        description="Object kinds (as detections report them) that count as a vendor's cart or stall.",
    )


ZoneRule = Annotated[EbikeParkingRule | StorefrontTradingRule | MobileVendorRule, Field(discriminator="kind")]
"""One rule of a zone; ``kind`` selects which."""
