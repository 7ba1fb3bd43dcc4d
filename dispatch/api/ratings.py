"""Ratings: a leader's or operator's, and a resident's through a signed, expiring, single-use link."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from dispatch.api.auth import CurrentPerson, as_actor, require_role
from dispatch.api.cases import read_case
from dispatch.api.context import Ctx
from dispatch.api.schemas import CaseDetail, PublicCaseOut, RatingBody, RatingLinkOut
from dispatch.domain import commands as c
from dispatch.domain.actors import SYSTEM
from dispatch.domain.errors import CaseNotFoundError
from dispatch.domain.states import Action, transition
from dispatch.permissions import require_allowed
from gridwatch.config import Role

router = APIRouter(prefix="/api/v1", tags=["ratings"])


@router.post("/cases/{case_id}/rating", response_model=CaseDetail, summary="Leader/operator: rate 1-5")
def rate(ctx: Ctx, person: CurrentPerson, case_id: str, body: RatingBody) -> CaseDetail:
    ctx.core.bus.handle(c.RateCase(case_id, as_actor(person), score=body.score, comment=body.comment))
    return read_case(ctx, person, case_id)


@router.post(
    "/cases/{case_id}/rating-link", response_model=RatingLinkOut, status_code=201, summary="A resident's link"
)
def rating_link(ctx: Ctx, person: CurrentPerson, case_id: str) -> RatingLinkOut:
    """A signed link a resident can use once, until it expires, to rate the case."""
    require_role(person, Role.LEADER, Role.OPERATOR)
    with ctx.core.unit_of_work() as uow:
        case = uow.case(case_id)
        require_allowed(as_actor(person), Action.RATE, case)
        transition(Action.RATE, case.state)
    token, link = ctx.rating_links.issue(case_id, timedelta(hours=ctx.core.settings.rating_link_ttl_h))
    url = f"{ctx.core.settings.public_base_url}/rate/{token}"
    return RatingLinkOut(url=url, token=token, expires_at=link.expires_at)


@router.get("/public/ratings/{token}", response_model=PublicCaseOut, summary="Resident: what the link rates")
def public_case(ctx: Ctx, token: str) -> PublicCaseOut:
    link = ctx.rating_links.verify(token)
    with ctx.core.unit_of_work() as uow:
        case = uow.case(link.case_id)
        return PublicCaseOut(
            case_id=case.id,
            class_name=ctx.names(uow.session).event_class(case.class_code).name,
            place=case.place,
            state=case.state.value,
            expires_at=link.expires_at,
        )


@router.post("/public/ratings/{token}", status_code=204, summary="Resident: rate once through the link")
def public_rate(ctx: Ctx, token: str, body: RatingBody) -> None:
    link = ctx.rating_links.verify(token)
    try:
        ctx.core.bus.handle(
            c.RateCase(link.case_id, SYSTEM, score=body.score, comment=body.comment, link_nonce=link.nonce)
        )
    except CaseNotFoundError:
        raise CaseNotFoundError("the case of this rating link no longer exists") from None
