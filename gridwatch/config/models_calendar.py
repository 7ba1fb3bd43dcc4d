"""The working-hours calendar: time limits run only in working hours, and not on holidays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Annotated, Self
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, model_validator

from gridwatch.config.models_common import ConfigModel, DailyWindow, Weekday, require_aware

_MAX_DAYS_SEARCHED = 3 * 366


def _same_day_windows(windows: tuple[DailyWindow, ...]) -> tuple[DailyWindow, ...]:
    for window in windows:
        if window.crosses_midnight:
            raise ValueError(
                f"working hours end on the day they start "
                f"({window.start:%H:%M}-{window.end:%H:%M} crosses midnight)"
            )
    for day in Weekday:
        spans = sorted((w.start, w.end) for w in windows if day in w.days)
        for (_, end), (start, _) in pairwise(spans):
            if start < end:
                raise ValueError(f"working hours overlap on {day.value} at {start:%H:%M}")
    return windows


class WorkingCalendar(ConfigModel):
    """Weekly working hours, public holidays, and weekend days made working days (调休)."""

    working_hours: Annotated[tuple[DailyWindow, ...], AfterValidator(_same_day_windows)] = Field(
        min_length=1, description="Weekly working windows, each within one day, e.g. mon-fri 08:30-12:00."
    )
    holidays: tuple[date, ...] = Field(default=(), description="Dates with no working hours at all.")
    extra_workdays: tuple[date, ...] = Field(
        default=(), description="Dates that are working days although their weekday is not (调休)."
    )
    extra_workday_as: Weekday = Field(
        default=Weekday.MON, description="Whose working windows an extra workday follows."
    )

    @model_validator(mode="after")
    def _holiday_not_workday(self) -> Self:
        both = sorted(set(self.holidays) & set(self.extra_workdays))
        if both:
            raise ValueError(f"{both[0].isoformat()} is both a holiday and an extra workday")
        return self

    def windows_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The (start, end) working windows of a local date, earliest first."""
        if day in self.holidays:
            return ()
        weekday = (
            self.extra_workday_as if day in self.extra_workdays else Weekday.of(datetime.combine(day, time()))
        )
        return tuple(sorted((w.start, w.end) for w in self.working_hours if weekday in w.days))

    def _spans_from(self, start: datetime, tz: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
        local = start.astimezone(tz)
        for offset in range(_MAX_DAYS_SEARCHED):
            day = local.date() + timedelta(days=offset)
            for w_start, w_end in self.windows_on(day):
                opens = datetime.combine(day, w_start, tz)
                closes = datetime.combine(day, w_end, tz)
                if closes > local:
                    yield max(opens, local), closes

    def is_working_time(self, moment: datetime, tz: ZoneInfo) -> bool:
        """Whether an aware instant falls in working hours."""
        local = require_aware(moment).astimezone(tz)
        return any(
            datetime.combine(local.date(), s, tz) <= local < datetime.combine(local.date(), e, tz)
            for s, e in self.windows_on(local.date())
        )

    def add_working_hours(self, start: datetime, hours: float, tz: ZoneInfo) -> datetime:
        """The instant ``hours`` working hours after ``start`` (a deadline), aware, in ``tz``."""
        remaining = timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError(f"hours must not be negative, got {hours:g}")
        for opens, closes in self._spans_from(require_aware(start), tz):
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
        raise ValueError(
            f"the calendar has fewer than {hours:g} working hours in the {_MAX_DAYS_SEARCHED} days after"
        )

    def working_hours_between(self, start: datetime, end: datetime, tz: ZoneInfo) -> float:
        """Working hours from ``start`` to ``end`` (0 when end is not after start)."""
        end = require_aware(end)
        total = timedelta(0)
        for opens, closes in self._spans_from(require_aware(start), tz):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total / timedelta(hours=1)
