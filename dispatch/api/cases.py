"""``/api/v1/cases``: list and read the cases one may see, and move them (each action one POST)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dispatch.api.auth import CurrentPerson, as_actor
from dispatch.api.context import ApiContext, Ctx
from dispatch.api.schemas import (
    CaseDetail,
    CaseSummary,
    HandleBody,
    NoteBody,
    RejectBody,
    RequiredNoteBody,
    ReturnBody,
    TransferBody,
    case_detail,
    case_summary,
)
from dispatch.domain import commands as c
from dispatch.domain.states import CaseState
from dispatch.permissions import require_visible
from dispatch.queries import case_bundle, list_cases
from gridwatch.config import Person

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


def read_case(ctx: ApiContext, person: Person, case_id: str) -> CaseDetail:
    """A case with everything recorded about it (404 when the person may not see it)."""
    with ctx.core.unit_of_work() as uow:
        case = uow.case(case_id)
        require_visible(as_actor(person), case)
        return case_detail(case_bundle(uow.session, case), ctx.names(uow.session), ctx.evidence)


@router.get("", response_model=list[CaseSummary], summary="Cases I may see, newest first")
def get_cases(
    ctx: Ctx,
    person: CurrentPerson,
    state: Annotated[list[CaseState] | None, Query(description="Only cases in these states.")] = None,
    micro_grid_id: Annotated[str | None, Query(max_length=64, description="Only this micro-grid.")] = None,
    class_code: Annotated[str | None, Query(max_length=8, description="Only this event class.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many.")] = 100,
    offset: Annotated[int, Query(ge=0, description="Skip this many.")] = 0,
) -> list[CaseSummary]:
    with ctx.core.session_factory() as session:
        rows = list_cases(
            session,
            person,
            states=state or (),
            micro_grid_id=micro_grid_id,
            class_code=class_code,
            limit=limit,
            offset=offset,
        )
        names = ctx.names(session)
        return [case_summary(case, names, ctx.evidence) for case in rows]


@router.get("/{case_id}", response_model=CaseDetail, summary="A case with evidence, history, photos, ratings")
def get_case(ctx: Ctx, person: CurrentPerson, case_id: str) -> CaseDetail:
    return read_case(ctx, person, case_id)


def _run(ctx: ApiContext, person: Person, command: c.Command, case_id: str) -> CaseDetail:
    ctx.core.bus.handle(command)
    return read_case(ctx, person, case_id)


@router.post("/{case_id}/confirm", response_model=CaseDetail, summary="Operator: confirm a filed case")
def confirm(ctx: Ctx, person: CurrentPerson, case_id: str, body: NoteBody | None = None) -> CaseDetail:
    note = body.note if body else None
    return _run(ctx, person, c.ConfirmCase(case_id, as_actor(person), note=note), case_id)


@router.post("/{case_id}/reject", response_model=CaseDetail, summary="Reject as a false alarm (kept)")
def reject(ctx: Ctx, person: CurrentPerson, case_id: str, body: RejectBody) -> CaseDetail:
    return _run(ctx, person, c.RejectCase(case_id, as_actor(person), reason=body.reason), case_id)


@router.post(
    "/{case_id}/nothing-there",
    response_model=CaseDetail,
    summary="Assignee: nothing there on the spot (a false alarm, kept as a negative example)",
)
def nothing_there(ctx: Ctx, person: CurrentPerson, case_id: str, body: NoteBody | None = None) -> CaseDetail:
    note = body.note if body else None
    return _run(ctx, person, c.ReportNothingThere(case_id, as_actor(person), note=note), case_id)


@router.post("/{case_id}/accept", response_model=CaseDetail, summary="Assignee: accept the task")
def accept(ctx: Ctx, person: CurrentPerson, case_id: str) -> CaseDetail:
    return _run(ctx, person, c.AcceptCase(case_id, as_actor(person)), case_id)


@router.post("/{case_id}/handle", response_model=CaseDetail, summary="Assignee: report done, with photos")
def handle(ctx: Ctx, person: CurrentPerson, case_id: str, body: HandleBody) -> CaseDetail:
    command = c.HandleCase(case_id, as_actor(person), note=body.note, photo_ids=tuple(body.photo_ids))
    return _run(ctx, person, command, case_id)


@router.post("/{case_id}/verify", response_model=CaseDetail, summary="Leader/operator: verify by hand")
def verify(ctx: Ctx, person: CurrentPerson, case_id: str, body: NoteBody | None = None) -> CaseDetail:
    note = body.note if body else None
    return _run(ctx, person, c.VerifyCase(case_id, as_actor(person), note=note), case_id)


@router.post("/{case_id}/return", response_model=CaseDetail, summary="Leader/operator: return for rework")
def return_(ctx: Ctx, person: CurrentPerson, case_id: str, body: ReturnBody) -> CaseDetail:
    command = c.ReturnCase(case_id, as_actor(person), note=body.note, evidence_url=body.evidence_url)
    return _run(ctx, person, command, case_id)


@router.post("/{case_id}/close", response_model=CaseDetail, summary="Leader/operator: close a verified case")
def close(ctx: Ctx, person: CurrentPerson, case_id: str, body: NoteBody | None = None) -> CaseDetail:
    note = body.note if body else None
    return _run(ctx, person, c.CloseCase(case_id, as_actor(person), note=note), case_id)


@router.post("/{case_id}/reopen", response_model=CaseDetail, summary="Leader/operator: reopen (rework)")
def reopen(ctx: Ctx, person: CurrentPerson, case_id: str, body: RequiredNoteBody) -> CaseDetail:
    return _run(ctx, person, c.ReopenCase(case_id, as_actor(person), note=body.note), case_id)


@router.post(
    "/{case_id}/transfer", response_model=CaseDetail, summary="Leader/operator: give to someone else"
)
def transfer(ctx: Ctx, person: CurrentPerson, case_id: str, body: TransferBody) -> CaseDetail:
    command = c.TransferCase(case_id, as_actor(person), to_person_id=body.to_person_id, note=body.note)
    return _run(ctx, person, command, case_id)


@router.post("/{case_id}/escalate", response_model=CaseDetail, summary="Escalate one level up the chain")
def escalate(ctx: Ctx, person: CurrentPerson, case_id: str, body: NoteBody | None = None) -> CaseDetail:
    note = body.note if body else None
    return _run(ctx, person, c.EscalateCase(case_id, as_actor(person), note=note), case_id)
