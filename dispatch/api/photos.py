"""``/api/v1/cases/{id}/photos`` and ``/api/v1/photos/{id}``: upload proof of handling, fetch it back.

An upload is the :class:`~dispatch.domain.commands.AddPhoto` command, through the bus like every other write.
"""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from fastapi.responses import FileResponse

from dispatch.api.auth import CurrentPerson, as_actor
from dispatch.api.context import Ctx
from dispatch.api.schemas import PhotoOut, photo_out
from dispatch.domain.commands import AddPhoto
from dispatch.domain.errors import CaseNotFoundError
from dispatch.permissions import require_visible
from dispatch.persistence.case_tables import PhotoRecord

router = APIRouter(prefix="/api/v1", tags=["photos"])


@router.post("/cases/{case_id}/photos", response_model=PhotoOut, status_code=201, summary="Upload a photo")
def upload(ctx: Ctx, person: CurrentPerson, case_id: str, file: UploadFile) -> PhotoOut:
    """A JPEG or PNG (checked by its bytes and by decoding it), at most the configured size.

    A plain function: FastAPI runs it in its thread pool, so reading the upload, decoding it, writing the file
    and the database work never hold the event loop that serves the live streams.
    """
    data = file.file.read(ctx.core.settings.photo_max_bytes + 1)
    row = ctx.core.bus.handle(AddPhoto(case_id, as_actor(person), data=data, store=ctx.photos))
    assert isinstance(row, PhotoRecord)
    return photo_out(row)


@router.get(
    "/photos/{photo_id}",
    response_class=FileResponse,
    summary="A photo's file",
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def download(ctx: Ctx, person: CurrentPerson, photo_id: str) -> FileResponse:
    with ctx.core.unit_of_work() as uow:
        row = uow.session.get(PhotoRecord, photo_id)
        if row is None:
            raise CaseNotFoundError(f"no photo {photo_id}")
        case = uow.case(row.case_id)
        try:
            require_visible(as_actor(person), case)
        except CaseNotFoundError:
            raise CaseNotFoundError(f"no photo {photo_id}") from None
        return FileResponse(ctx.photos.path_of(row.path), media_type=row.content_type)
