"""Token authentication and roles.

Every ``/api/v1`` route except the public rating routes needs ``Authorization: Bearer <token>`` (tokens come
from ``gridwatch dispatch tokens issue --person ID``). The event stream also takes ``?access_token=``
because a browser's EventSource cannot set headers. What a person may see and do follows their role (see
:mod:`dispatch.permissions`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dispatch.api.context import Ctx
from dispatch.domain.actors import Actor
from dispatch.tokens import person_of_token
from gridwatch.config import Person, Role

_bearer = HTTPBearer(auto_error=False, description="A token from `gridwatch dispatch tokens issue`.")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def _person_for(ctx: Ctx, token: str) -> Person:
    with ctx.core.session_factory() as session:
        person_id = person_of_token(session, token)
    if person_id is None:
        raise _unauthorized("the token is unknown or revoked")
    try:
        return ctx.core.site.person(person_id)
    except KeyError:
        raise _unauthorized(
            f"the token's person {person_id} is no longer in the site configuration"
        ) from None


def current_person(
    ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Person:
    """The person whose bearer token the request carries."""
    if credentials is None:
        raise _unauthorized("missing Authorization: Bearer <token>")
    return _person_for(ctx, credentials.credentials)


def current_person_or_query_token(
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    access_token: Annotated[
        str | None, Query(description="The token, for clients that cannot set headers (EventSource).")
    ] = None,
) -> Person:
    """Like :func:`current_person`, also accepting ``?access_token=``."""
    if credentials is not None:
        return _person_for(ctx, credentials.credentials)
    if access_token:
        return _person_for(ctx, access_token)
    raise _unauthorized("missing Authorization: Bearer <token> (or ?access_token= for an event stream)")


CurrentPerson = Annotated[Person, Depends(current_person)]
StreamPerson = Annotated[Person, Depends(current_person_or_query_token)]


def as_actor(person: Person) -> Actor:
    return Actor(person)


def require_role(person: Person, *roles: Role) -> None:
    """403 unless ``person`` has one of ``roles``."""
    if person.role not in roles:
        allowed = " or ".join(role.value for role in roles)
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"only a {allowed} may do this; {person.id} is a {person.role.value}",
        )
