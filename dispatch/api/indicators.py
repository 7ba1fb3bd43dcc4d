"""``/api/v1/indicators``: 结案率, 按期结案率, 返工率 and mean times, per grid, worker, class or period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import Field
from sqlalchemy import select

from dispatch.api.auth import CurrentPerson
from dispatch.api.context import Ctx
from dispatch.api.schemas import Out
from dispatch.indicators import GroupBy, compute
from dispatch.persistence.case_tables import CaseRecord
from dispatch.queries import visible_to

router = APIRouter(prefix="/api/v1", tags=["indicators"])


class IndicatorOut(Out):
    key: str = Field(description="The group: micro-grid id, person id, class code, date, ISO week or month.")
    dispatched: int = Field(description="Cases dispatched in the period.")
    due: int = Field(description="Of those, cases due (deadline passed, or closed).")
    closed: int = Field(description="Due cases closed.")
    closed_on_time: int = Field(description="Closed cases whose work was done by the handling deadline.")
    reopened: int = Field(description="Closed cases that were returned or reopened at least once.")
    closure_rate: float | None = Field(description="结案率 = closed / due.")
    on_time_rate: float | None = Field(description="按期结案率 = closed on time / due.")
    rework_rate: float | None = Field(description="返工率 = reopened / closed.")
    mean_dispatch_s: float | None = Field(description="Mean seconds from filing to dispatch.")
    mean_accept_s: float | None = Field(description="Mean seconds from dispatch to acceptance.")
    mean_handle_s: float | None = Field(description="Mean seconds from dispatch to handling.")


class IndicatorsOut(Out):
    group_by: str = Field(description="How rows are grouped.")
    since: date = Field(description="First local day of the period (dispatch date).")
    until: date = Field(description="Last local day of the period, inclusive.")
    as_of: datetime = Field(description="The moment deadlines are judged against.")
    rows: list[IndicatorOut] = Field(description="One row per group.")


@router.get("/indicators", response_model=IndicatorsOut, summary="Indicators of the cases I may see")
def indicators(
    ctx: Ctx,
    person: CurrentPerson,
    group_by: Annotated[
        GroupBy, Query(description="grid, worker, class, day, week, month or all.")
    ] = GroupBy.GRID,
    since: Annotated[date | None, Query(description="First day (local), default 30 days ago.")] = None,
    until: Annotated[date | None, Query(description="Last day (local), inclusive; default today.")] = None,
) -> IndicatorsOut:
    tz = ctx.core.site.site.tz
    now = ctx.core.clock()
    last = until or now.astimezone(tz).date()
    first = since or last - timedelta(days=30)
    if first > last:
        raise HTTPException(422, detail=f"since {first.isoformat()} is after until {last.isoformat()}")
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    with ctx.core.session_factory() as session:
        cases = session.scalars(
            select(CaseRecord).where(
                visible_to(person), CaseRecord.dispatched_at >= start, CaseRecord.dispatched_at < end
            )
        ).all()
        rows = compute(cases, group_by, now, tz)
    return IndicatorsOut(
        group_by=group_by.value,
        since=first,
        until=last,
        as_of=now,
        rows=[IndicatorOut(**row.__dict__) for row in rows],
    )
