"""``/api/v1/me``: who I am, my tasks, and the live stream of changes to my cases (Server-Sent Events)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from dispatch.api.auth import CurrentPerson, StreamPerson
from dispatch.api.context import Ctx
from dispatch.api.schemas import CaseSummary, MeOut, case_summary
from dispatch.queries import my_tasks

router = APIRouter(prefix="/api/v1/me", tags=["me"])

RETRY_MS = 3000
"""How long a browser waits before it reconnects a dropped event stream, milliseconds."""


@router.get("", response_model=MeOut, summary="The person the token belongs to, and the site's time zone")
def me(ctx: Ctx, person: CurrentPerson) -> MeOut:
    return MeOut(
        id=person.id,
        name=person.name,
        role=person.role.value,
        grid=person.grid,
        department=person.department,
        timezone=ctx.core.site.site.timezone,
    )


@router.get("/tasks", response_model=list[CaseSummary], summary="My open tasks, earliest deadline first")
def tasks(ctx: Ctx, person: CurrentPerson) -> list[CaseSummary]:
    with ctx.core.session_factory() as session:
        names = ctx.names(session)
        return [case_summary(case, names, ctx.evidence) for case in my_tasks(session, person)]


@router.get(
    "/events",
    summary="Live changes to my cases (text/event-stream)",
    response_class=EventSourceResponse,
    responses={200: {"description": "`ready`, then `case` events."}},
)
async def events(ctx: Ctx, person: StreamPerson) -> AsyncIterator[ServerSentEvent]:
    """Server-Sent Events: ``ready`` once, then ``case`` (a gw.case-events message as JSON) for every
    change to a case I see live (my tasks; my grid's for a leader; everything for an operator);
    ``resync`` when the stream fell behind (reload the list); a ``keepalive`` comment when idle.

    FastAPI streams what this generator yields and cancels it when the client goes away; the subscription
    to the live feed is closed then.
    """
    keepalive_s = ctx.core.settings.sse_keepalive_s
    with ctx.core.live.subscribe(person.id) as subscription:
        yield ServerSentEvent(retry=RETRY_MS)
        yield ServerSentEvent(event="ready", raw_data="{}")
        while True:
            item = await subscription.next(timeout_s=keepalive_s)
            if item is None:
                yield ServerSentEvent(comment="keepalive")
            elif item.resync or item.event is None:
                yield ServerSentEvent(event="resync", raw_data="{}")
            else:
                payload = json.dumps(item.event.model_dump(mode="json"), ensure_ascii=False)
                yield ServerSentEvent(id=item.event.event_id, event="case", raw_data=payload)
