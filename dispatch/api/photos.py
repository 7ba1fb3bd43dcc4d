"""``/api/v1/cases/{id}/photos`` and ``/api/v1/photos/{id}``: upload proof of handling, fetch it back.

An upload is the :class:`~dispatch.domain.commands.AddPhoto` command, through the bus like every other write.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from dispatch.api.auth import CurrentPerson, as_actor
from dispatch.api.context import ApiContext, Ctx
from dispatch.api.schemas import PhotoOut, photo_out
from dispatch.api.upload_form import file_form_schema, read_file_field
from dispatch.domain.actors import Actor
from dispatch.domain.commands import AddPhoto
from dispatch.domain.errors import CaseNotFoundError
from dispatch.permissions import require_may_add_photo, require_visible
from dispatch.persistence.case_tables import PhotoRecord

router = APIRouter(prefix="/api/v1", tags=["photos"])

FILE_FIELD = "file"
"""The form field the photo comes in."""


def _check_may_add(ctx: ApiContext, actor: Actor, case_id: str) -> None:
    with ctx.core.unit_of_work() as uow:
        require_may_add_photo(actor, uow.case(case_id))


@router.post(
    "/cases/{case_id}/photos",
    response_model=PhotoOut,
    status_code=201,
    summary="Upload a photo",
    openapi_extra=file_form_schema(FILE_FIELD, "The photo: a JPEG or PNG."),
)
async def upload(ctx: Ctx, person: CurrentPerson, case_id: str, request: Request) -> PhotoOut:
    """A JPEG or PNG (checked by its bytes and by decoding it), at most the configured size, as the file
    field ``file`` of a ``multipart/form-data`` body.

    A refused upload costs nothing of its size: the token (a dependency) and the right to add photos to the
    case are checked before a byte of the body is read (401, 404, 403). Then the body is read as it
    arrives, never beyond the size limit (413). Everything slow or blocking (the token and case checks,
    decoding the image, writing its file, the database) runs in the thread pool, never on the event loop
    that serves the live streams; the command holds no transaction while the image is decoded and written.
    """
    actor = as_actor(person)
    await run_in_threadpool(_check_may_add, ctx, actor, case_id)
    data = await read_file_field(request, FILE_FIELD, ctx.core.settings.photo_max_bytes)
    command = AddPhoto(case_id, actor, data=data, store=ctx.photos)
    row = await run_in_threadpool(ctx.core.bus.handle, command)
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
