"""``/api/v1/cases/{id}/photos`` and ``/api/v1/photos/{id}``: upload proof of handling, fetch it back."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from fastapi.responses import FileResponse

from dispatch.api.auth import CurrentPerson, as_actor
from dispatch.api.context import Ctx
from dispatch.api.schemas import PhotoOut, photo_out
from dispatch.domain.errors import CaseNotFoundError, NotAllowedError
from dispatch.domain.states import FINAL_STATES
from dispatch.ids import new_photo_id
from dispatch.permissions import require_visible
from dispatch.persistence.case_tables import PhotoRecord
from dispatch.photos import PhotoRejectedError, check_photo
from gridwatch.config import Role

router = APIRouter(prefix="/api/v1", tags=["photos"])

_CHUNK = 64 * 1024


async def _read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    data = bytearray()
    while chunk := await upload.read(_CHUNK):
        data.extend(chunk)
        if len(data) > max_bytes:
            raise PhotoRejectedError(
                f"photo is more than {max_bytes} bytes; at most {max_bytes} are accepted", 413
            )
    return bytes(data)


@router.post("/cases/{case_id}/photos", response_model=PhotoOut, status_code=201, summary="Upload a photo")
async def upload(ctx: Ctx, person: CurrentPerson, case_id: str, file: UploadFile) -> PhotoOut:
    """A JPEG or PNG (checked by its bytes and by decoding it), at most the configured size."""
    with ctx.core.unit_of_work() as uow:
        case = uow.case(case_id)
        require_visible(as_actor(person), case)
        if case.assignee_id != person.id and person.role not in (Role.LEADER, Role.OPERATOR):
            raise NotAllowedError(f"only the assignee ({case.assignee_id}) may add photos to case {case_id}")
        if case.state in FINAL_STATES:
            raise NotAllowedError(f"case {case_id} is {case.state.value}; it takes no more photos")
    photo = check_photo(
        await _read_limited(file, ctx.core.settings.photo_max_bytes), ctx.core.settings.photo_max_bytes
    )
    with ctx.core.unit_of_work() as uow:
        photo_id = new_photo_id(uow.now)
        path = ctx.photos.save(case_id, photo_id, photo)
        row = PhotoRecord(
            id=photo_id,
            case_id=case_id,
            uploaded_by=person.id,
            uploaded_at=uow.now,
            path=path,
            sha256=photo.sha256,
            size_bytes=len(photo.data),
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
        )
        uow.session.add(row)
        uow.commit()
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
