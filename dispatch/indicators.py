"""Indicators per grid, worker, class and period (CJJ/T 106 综合评价):

- **due** (应结案数): cases dispatched in the period whose handling deadline has passed by ``as_of``, or that
  are closed already (rejected false alarms are not cases to handle and are left out);
- **结案率** (closure rate) = closed / due;
- **按期结案率** (on-time closure rate) = closed on time / due, where a closed case is on time when the
  work that closed it was done by its handling deadline (handled at; for a case that resolved
  itself, closed at);
- **返工率** (rework rate) = reopened / closed, where reopened counts closed cases that were returned for
  rework or reopened at least once;
- mean seconds from filing to dispatch, from dispatch to (first) acceptance, from dispatch to handling.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import fmean
from zoneinfo import ZoneInfo

from dispatch.domain.states import CaseState, Resolution
from dispatch.persistence.case_tables import CaseRecord


class GroupBy(StrEnum):
    """How indicator rows are grouped."""

    GRID = "grid"
    WORKER = "worker"
    CLASS = "class"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True)
class IndicatorRow:
    """The indicators of one group."""

    key: str
    dispatched: int
    due: int
    closed: int
    closed_on_time: int
    reopened: int
    closure_rate: float | None
    on_time_rate: float | None
    rework_rate: float | None
    mean_dispatch_s: float | None
    mean_accept_s: float | None
    mean_handle_s: float | None


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _mean_s(pairs: Iterable[tuple[datetime | None, datetime | None]]) -> float | None:
    spans = [(end - start).total_seconds() for start, end in pairs if start is not None and end is not None]
    return fmean(spans) if spans else None


def _on_time(case: CaseRecord) -> bool:
    if case.handle_due_at is None:
        return False
    done = case.handled_at if case.resolution is Resolution.HANDLED else case.closed_at
    return done is not None and done <= case.handle_due_at


def _key_function(group_by: GroupBy, tz: ZoneInfo) -> Callable[[CaseRecord], str]:
    def local_date(case: CaseRecord) -> datetime:
        assert case.dispatched_at is not None
        return case.dispatched_at.astimezone(tz)

    keys: dict[GroupBy, Callable[[CaseRecord], str]] = {
        GroupBy.GRID: lambda case: case.micro_grid_id,
        GroupBy.WORKER: lambda case: case.handled_by or case.assignee_id or "-",
        GroupBy.CLASS: lambda case: case.class_code,
        GroupBy.DAY: lambda case: local_date(case).date().isoformat(),
        GroupBy.WEEK: lambda case: "{}-W{:02d}".format(*local_date(case).isocalendar()[:2]),
        GroupBy.MONTH: lambda case: local_date(case).strftime("%Y-%m"),
        GroupBy.ALL: lambda case: "all",
    }
    return keys[group_by]


def compute(
    cases: Iterable[CaseRecord], group_by: GroupBy, as_of: datetime, tz: ZoneInfo
) -> list[IndicatorRow]:
    """Indicator rows, one per group, sorted by key (``cases``: those dispatched in the period)."""
    key_of = _key_function(group_by, tz)
    groups: dict[str, list[CaseRecord]] = defaultdict(list)
    for case in cases:
        if case.dispatched_at is None or case.state is CaseState.REJECTED:
            continue
        groups[key_of(case)].append(case)
    rows = []
    for key in sorted(groups):
        members = groups[key]
        due = [
            c
            for c in members
            if c.state is CaseState.CLOSED or (c.handle_due_at is not None and c.handle_due_at <= as_of)
        ]
        closed = [c for c in due if c.state is CaseState.CLOSED]
        on_time = [c for c in closed if _on_time(c)]
        reopened = [c for c in closed if c.rework_count > 0]
        rows.append(
            IndicatorRow(
                key=key,
                dispatched=len(members),
                due=len(due),
                closed=len(closed),
                closed_on_time=len(on_time),
                reopened=len(reopened),
                closure_rate=_ratio(len(closed), len(due)),
                on_time_rate=_ratio(len(on_time), len(due)),
                rework_rate=_ratio(len(reopened), len(closed)),
                mean_dispatch_s=_mean_s((c.filed_at, c.dispatched_at) for c in members),
                mean_accept_s=_mean_s((c.dispatched_at, c.accepted_at) for c in members),
                mean_handle_s=_mean_s((c.dispatched_at, c.handled_at) for c in members),
            )
        )
    return rows


DEFAULT_PERIOD = timedelta(days=30)
