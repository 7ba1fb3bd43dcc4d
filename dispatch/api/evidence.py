"""``/evidence/<key>``: the detector's local evidence folder, read-only, for people with a token.

Pages fetch these images with their token (``Authorization``, or ``?access_token=`` for a plain link);
a key must be a relative path of plain names inside the folder, anything else is refused.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

from dispatch.api.auth import StreamPerson
from dispatch.api.context import Ctx
from dispatch.evidence import EvidenceKeyError

router = APIRouter(tags=["evidence"])


@router.get(
    "/evidence/{key:path}",
    response_class=FileResponse,
    summary="An evidence snapshot from the local folder",
    responses={200: {"content": {"image/jpeg": {}}}},
)
def evidence(ctx: Ctx, person: StreamPerson, key: str) -> FileResponse:
    if ctx.evidence is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="this server serves no evidence folder")
    try:
        path = ctx.evidence.path_of(key)
    except EvidenceKeyError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from None
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no evidence {key}")
    media = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
    return FileResponse(path, media_type=media, headers={"Cache-Control": "private, max-age=86400"})
