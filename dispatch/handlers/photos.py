"""Handler of a photo upload: check who may add it and that the case still takes photos, check the bytes are
a real JPEG or PNG, write the file, and record the row, in one unit of work."""

from __future__ import annotations

from dispatch.domain.commands import AddPhoto
from dispatch.domain.errors import NotAllowedError
from dispatch.domain.states import FINAL_STATES
from dispatch.ids import new_photo_id
from dispatch.permissions import require_visible
from dispatch.persistence.case_tables import PhotoRecord
from dispatch.photos import PhotoRejectedError, check_photo
from dispatch.unit_of_work import UnitOfWork
from gridwatch.config import Role


def add_photo(command: AddPhoto, uow: UnitOfWork) -> PhotoRecord:
    """Store the photo and its row; returns the row. The file is written before the commit (a failed commit
    leaves a file no row names, never a row without its file)."""
    case = uow.case(command.case_id)
    actor = command.actor
    require_visible(actor, case)
    person = actor.person
    if person is None or (case.assignee_id != person.id and person.role not in (Role.LEADER, Role.OPERATOR)):
        raise NotAllowedError(
            f"only the assignee ({case.assignee_id}) may add photos to case {command.case_id}"
        )
    if case.state in FINAL_STATES:
        raise NotAllowedError(f"case {command.case_id} is {case.state.value}; it takes no more photos")
    max_bytes = uow.settings.photo_max_bytes
    if len(command.data) > max_bytes:  # the API reads at most one byte more than is accepted
        raise PhotoRejectedError(
            f"photo is more than {max_bytes} bytes; at most {max_bytes} are accepted", 413
        )
    photo = check_photo(command.data, max_bytes)
    photo_id = new_photo_id(uow.now)
    path = command.store.save(case.id, photo_id, photo)
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
