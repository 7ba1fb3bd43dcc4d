"""``/api/v1/me``: who I am, my tasks, and the live stream of changes to my cases (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from dispatch.api.auth import CurrentPerson, StreamPerson
from dispatch.api.cases import class_name
from dispatch.api.context import Ctx
from dispatch.api.schemas import CaseSummary, MeOut, case_summary
from dispatch.live import Subscription
from dispatch.queries import my_tasks

router = APIRouter(prefix="/api/v1/me", tags=["me"])


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
        return [
            case_summary(case, class_name(ctx, case.class_code), ctx.evidence)
            for case in my_tasks(session, person)
        ]


async def _stream(request: Request, subscription: Subscription, keepalive_s: float) -> AsyncIterator[str]:
    try:
        yield "retry: 3000\n\nevent: ready\ndata: {}\n\n"
        while not await request.is_disconnected():
            item = await subscription.next(timeout_s=keepalive_s)
            if item is None:
                yield ": keepalive\n\n"
            elif item.resync or item.event is None:
                yield "event: resync\ndata: {}\n\n"
            else:
                payload = json.dumps(item.event.model_dump(mode="json"), ensure_ascii=False)
                yield f"id: {item.event.event_id}\nevent: case\ndata: {payload}\n\n"
    except asyncio.CancelledError:
        pass
    finally:
        subscription.close()


@router.get(
    "/events",
    summary="Live changes to my cases (text/event-stream)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "`ready`, then `case` events."}},
)
async def events(ctx: Ctx, person: StreamPerson, request: Request) -> StreamingResponse:
    """Server-Sent Events: ``ready`` once, then ``case`` (a gw.case-events message as JSON) for every
    change to a case I see live (my tasks; my grid's for a leader; everything for an operator);
    ``resync`` when the stream fell behind (reload the list)."""
    subscription = ctx.core.live.subscribe(person.id)
    return StreamingResponse(
        _stream(request, subscription, ctx.core.settings.sse_keepalive_s),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
