"""`gw.incidents`: one episode of one rule in one zone (new, update, end), keyed by incident id."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, model_validator

from gridwatch.messages.base import Box, EpochSeconds, GwMessage, Identifier


class Lifecycle(StrEnum):
    """Where an incident message sits in its episode."""

    NEW = "new"
    UPDATE = "update"
    END = "end"


class RuleKind(StrEnum):
    """The rule that raised the incident."""

    EBIKE_PARKING = "ebike_parking"
    STOREFRONT_TRADING = "storefront_trading"
    MOBILE_VENDOR = "mobile_vendor"


class ClassCode(StrEnum):
    """Digital city-management standard class (街面秩序) of the incident."""

    NON_MOTOR_PARKING = "06"
    STOREFRONT_TRADING = "04"
    UNLICENSED_VENDOR = "01"


#: The one standard class each rule reports.
CLASS_CODE_OF_RULE: dict[RuleKind, ClassCode] = {
    RuleKind.EBIKE_PARKING: ClassCode.NON_MOTOR_PARKING,
    RuleKind.STOREFRONT_TRADING: ClassCode.STOREFRONT_TRADING,
    RuleKind.MOBILE_VENDOR: ClassCode.UNLICENSED_VENDOR,
}


class Incident(GwMessage):
    """The state of one incident episode at one revision.

    Revision 1 is the ``new`` message; every later message of the same incident has a higher revision, so
    a reader keeps the highest revision it has seen and drops replays.
    """

    schema_version: Literal["gw.incidents/1"] = Field(
        default="gw.incidents/1", description="Schema version of this record."
    )
    incident_id: Identifier = Field(description="Stable id of the episode; the record key.")
    lifecycle: Lifecycle = Field(
        description="new (dwell time met), update (still there) or end (zone clear)."
    )
    revision: int = Field(ge=1, description="1 for new, then strictly increasing per incident.")
    camera_id: Identifier = Field(description="Camera the incident was seen on.")
    zone_id: Identifier = Field(description="Zone of that camera the rule ran in.")
    micro_grid_id: Identifier = Field(description="Micro-grid (微网格) the zone belongs to.")
    rule: RuleKind = Field(description="The rule that raised the incident.")
    class_code: ClassCode = Field(description="Standard event class: 06 for ebike_parking, 04, 01.")
    started_at: EpochSeconds = Field(description="When the episode opened (dwell time met), epoch seconds.")
    observed_at: EpochSeconds = Field(description="Time of the latest frame this revision reflects.")
    ended_at: EpochSeconds | None = Field(
        default=None, description="When the zone was found clear; set on end only."
    )
    dwell_s: float = Field(ge=0.0, description="How long the objects have stood in the zone, in seconds.")
    object_count: int = Field(ge=0, description="Number of offending objects in this revision.")
    boxes: tuple[Box, ...] = Field(
        default=(), max_length=1000, description="Boxes [x1, y1, x2, y2] of the offending objects, in pixels."
    )
    evidence_url: str | None = Field(
        default=None, max_length=2048, description="URL of the annotated evidence snapshot, if any."
    )
    model_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The model whose detections this revision reflects (the frame's gw.detections model id); "
        "set on new and update messages. Added within gw.incidents/1: upgrade readers first.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        expected_code = CLASS_CODE_OF_RULE[self.rule]
        if self.class_code != expected_code:
            raise ValueError(
                f"class_code {self.class_code.value!r} does not match rule {self.rule.value!r} "
                f"(expected {expected_code.value!r})"
            )
        if self.lifecycle is Lifecycle.NEW and self.revision != 1:
            raise ValueError(f"a new incident has revision 1, got {self.revision}")
        if self.lifecycle is not Lifecycle.NEW and self.revision < 2:
            raise ValueError(f"an {self.lifecycle.value} message needs revision >= 2, got {self.revision}")
        if self.observed_at < self.started_at:
            raise ValueError(f"observed_at {self.observed_at} is before started_at {self.started_at}")
        if self.lifecycle is Lifecycle.END:
            if self.ended_at is None:
                raise ValueError("an end message needs ended_at")
            if self.ended_at < self.started_at:
                raise ValueError(f"ended_at {self.ended_at} is before started_at {self.started_at}")
        elif self.ended_at is not None:
            raise ValueError(f"ended_at is set only on end messages, not on {self.lifecycle.value}")
        if len(self.boxes) > self.object_count:
            raise ValueError(f"{len(self.boxes)} boxes for object_count {self.object_count}")
        return self
