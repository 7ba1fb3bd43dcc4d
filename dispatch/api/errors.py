"""Domain errors as HTTP answers: each a JSON body ``{"detail": "<what is wrong>"}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from dispatch.domain.errors import (
    CaseNotFoundError,
    ConflictError,
    DispatchError,
    IllegalTransitionError,
    InvalidCommandError,
    NotAllowedError,
)
from dispatch.photos import PhotoRejectedError
from dispatch.rating_links import RatingLinkError

STATUS_OF: tuple[tuple[type[Exception], int], ...] = (
    (CaseNotFoundError, 404),
    (NotAllowedError, 403),
    (IllegalTransitionError, 409),
    (ConflictError, 409),
    (InvalidCommandError, 422),
    (RatingLinkError, 403),
    (DispatchError, 400),
)


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error to its status."""

    async def domain_error(_request: Request, error: Exception) -> JSONResponse:
        for kind, code in STATUS_OF:
            if isinstance(error, kind):
                return JSONResponse({"detail": str(error)}, status_code=code)
        return JSONResponse({"detail": str(error)}, status_code=400)  # pragma: no cover

    async def photo_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, PhotoRejectedError)
        return JSONResponse({"detail": str(error)}, status_code=error.status)

    for kind, _ in STATUS_OF:
        app.add_exception_handler(kind, domain_error)
    app.add_exception_handler(IllegalTransitionError, domain_error)
    app.add_exception_handler(PhotoRejectedError, photo_error)
