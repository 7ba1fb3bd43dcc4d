"""The base of every Gridwatch message and the value types their fields share."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

#: Identifiers (camera, zone, grid, incident, case, person) travel as message keys and in URLs.
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$"),
]

#: A point in time in epoch seconds (from frame timestamps, never from the wall clock of a later stage).
EpochSeconds = Annotated[float, Field(ge=0.0)]

#: Free text meant for people (reasons, notes), bounded so that it never bloats a message.
ShortText = Annotated[str, StringConstraints(max_length=2000)]


def _check_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = box
    if not all(math.isfinite(v) for v in box):
        raise ValueError(f"box {list(box)} has a non-finite coordinate")
    if x1 < 0 or y1 < 0:
        raise ValueError(f"box {list(box)} has a negative coordinate")
    if not (x2 > x1 and y2 > y1):
        raise ValueError(f"box {list(box)} must have x2 > x1 and y2 > y1")
    return box


#: An axis-aligned box ``[x1, y1, x2, y2]`` in pixels of the frame it was found on (xyxy, as supervision).
Box = Annotated[tuple[float, float, float, float], AfterValidator(_check_box)]


class WireModel(BaseModel):
    """A value inside a message: frozen, strict about unknown fields, finite numbers only."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, ser_json_bytes="base64", val_json_bytes="base64"
    )


class GwMessage(WireModel):
    """A record on a Gridwatch topic.

    Every subclass declares ``schema_version`` as a ``Literal`` field with a default (``"gw.frames/1"``);
    the codec checks it before validating anything else, so a reader never guesses at a shape.
    """

    #: Name of the field that carries the schema version in every encoded message.
    SCHEMA_FIELD: ClassVar[str] = "schema_version"

    @classmethod
    def schema_id(cls) -> str:
        """The schema version this class writes, e.g. ``"gw.frames/1"``."""
        default: Any = cls.model_fields[cls.SCHEMA_FIELD].default
        if not isinstance(default, str):  # pragma: no cover - a declaration mistake, caught by tests
            raise TypeError(f"{cls.__name__} declares no default schema_version")
        return default
