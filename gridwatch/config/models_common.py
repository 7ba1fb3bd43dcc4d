"""Building blocks shared by every part of the site configuration: ids, clock times, weekly windows."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)


class ConfigModel(BaseModel):
    """Base of every configuration model: unknown fields are errors and values never change once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_ENV_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLOCK_PATTERN = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_CODE_PATTERN = re.compile(r"[0-9]{2}")


def _check_identifier(value: str) -> str:
    if not _ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id "
            "(1-64 letters, digits, '-', '_' or '.', starting with a letter or digit)"
        )
    return value


def _check_env_name(value: str) -> str:
    if not _ENV_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an environment variable name "
            "(letters, digits and '_', not starting with a digit, e.g. CAM_0001_PASSWORD)"
        )
    return value


def _parse_clock(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f'times are written "HH:MM" in quotes, got the number {value}')
    if not isinstance(value, str):
        return value  # let pydantic report the wrong type
    match = _CLOCK_PATTERN.fullmatch(value)
    if not match:
        raise ValueError(f'{value!r} is not a time of day as "HH:MM" (00:00 to 23:59)')
    return time(int(match.group(1)), int(match.group(2)))


def _check_code(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f'event class codes are two-digit strings in quotes, e.g. "06", got the number {value}'
        )
    if isinstance(value, str) and not _CODE_PATTERN.fullmatch(value):
        raise ValueError(f'{value!r} is not a two-digit event class code such as "06"')
    return value


Identifier = Annotated[str, AfterValidator(_check_identifier)]
"""An id that names something in the site: a grid, a camera, a zone, a person, a department."""

EnvVarName = Annotated[str, AfterValidator(_check_env_name)]
"""The name of an environment variable that holds a secret (the secret itself never goes into the file)."""

ClockTime = Annotated[time, BeforeValidator(_parse_clock), PlainSerializer(lambda t: t.strftime("%H:%M"))]
"""A local time of day written ``"HH:MM"``."""

EventCode = Annotated[str, BeforeValidator(_check_code)]
"""A two-digit event class code from the digital city-management standard, e.g. ``"06"``."""

Seconds = Annotated[float, Field(gt=0)]
"""A positive duration in seconds."""


class Weekday(StrEnum):
    """A day of the week, as written in the file."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @classmethod
    def of(cls, moment: datetime) -> Weekday:
        """The weekday of a (local) date or datetime."""
        return _WEEKDAYS[moment.weekday()]


_WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)
ALL_DAYS: tuple[Weekday, ...] = _WEEKDAYS


def _no_repeated_days(days: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
    if not days:
        raise ValueError("needs at least one day")
    repeated = sorted({day.value for day in days if days.count(day) > 1})
    if repeated:
        raise ValueError(f"repeats {', '.join(repeated)}")
    return days


Days = Annotated[tuple[Weekday, ...], AfterValidator(_no_repeated_days)]


class DailyWindow(ConfigModel):
    """A stretch of local time on some days of the week, e.g. mon-fri 08:30-12:00.

    ``end`` before ``start`` means the window crosses midnight (``start: "22:00", end: "06:00"`` runs into the
    next morning); ``days`` then names the day the window starts on.
    """

    days: Days = Field(
        default=ALL_DAYS, description="Days of the week the window starts on; every day if left out."
    )
    start: ClockTime = Field(description='Local time the window opens, "HH:MM".')
    end: ClockTime = Field(
        description='Local time the window closes, "HH:MM"; before start means the next day.'
    )

    @model_validator(mode="after")
    def _has_length(self) -> Self:
        if self.start == self.end:
            raise ValueError(f"start and end are both {self.start:%H:%M}; a window needs a length")
        return self

    @property
    def crosses_midnight(self) -> bool:
        """Whether the window runs past midnight into the next day."""
        return self.end < self.start

    def contains(self, local: datetime) -> bool:
        """Whether a local (wall-clock) datetime falls inside the window (start inclusive, end exclusive)."""
        clock = local.time().replace(tzinfo=None)
        if not self.crosses_midnight:
            return Weekday.of(local) in self.days and self.start <= clock < self.end
        if clock >= self.start:
            return Weekday.of(local) in self.days
        return clock < self.end and Weekday.of(local - timedelta(days=1)) in self.days


class GeoPoint(ConfigModel):
    """A place on earth in WGS-84 degrees."""

    lat: float = Field(ge=-90, le=90, description="Latitude in degrees (WGS-84), north positive.")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees (WGS-84), east positive.")


def require_aware(moment: datetime) -> datetime:
    """Refuse naive datetimes: every instant the config is asked about must say its timezone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no timezone; pass an aware datetime")
    return moment
