"""Handler of a photo upload: check who may add it and that the case still takes photos, check the bytes are
a real JPEG or PNG, write the file, and record the row, in one unit of work.

The API checks the same right before it reads the upload's body (a refused upload is never read); this
handler checks it again, since the case may have moved on while the body arrived.

No transaction is held while the image is decoded and its file written: the checks read the case, the
transaction ends, the slow part runs, and a second short transaction checks the case again and inserts the
row (the file comes first: a failed insert leaves a file no row names, never a row without its file).
"""

from __future__ import annotations

from dispatch.domain.commands import AddPhoto
from dispatch.ids import new_photo_id
from dispatch.permissions import require_may_add_photo
from dispatch.persistence.case_tables import CaseRecord, PhotoRecord
from dispatch.photos import PhotoRejectedError, check_photo
from dispatch.unit_of_work import UnitOfWork
from gridwatch.config import Person


def _may_add(uow: UnitOfWork, command: AddPhoto) -> tuple[CaseRecord, Person]:
    case = uow.case(command.case_id)
    return case, require_may_add_photo(command.actor, case)


def add_photo(command: AddPhoto, uow: UnitOfWork) -> PhotoRecord:
    """Store the photo and its row; returns the row."""
    _may_add(uow, command)
    uow.rollback()  # nothing held while the image is decoded and written
    max_bytes = uow.settings.photo_max_bytes
    if len(command.data) > max_bytes:  # the API reads at most one byte more than is accepted
        raise PhotoRejectedError(
            f"photo is more than {max_bytes} bytes; at most {max_bytes} are accepted", 413
        )
    photo = check_photo(command.data, max_bytes)
    photo_id = new_photo_id(uow.now)
    path = command.store.save(command.case_id, photo_id, photo)
    case, person = _may_add(uow, command)  # the case may have moved on meanwhile
    row = PhotoRecord(
        id=photo_id,
        case_id=case.id,
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
    return row
