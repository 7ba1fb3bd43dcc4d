"""Reading one file out of a ``multipart/form-data`` request body, at most a given size, when the endpoint
decides to (after its checks), instead of FastAPI reading the whole form before the endpoint runs.

FastAPI parses a form parameter (``UploadFile``) before it resolves any dependency: the whole body, however
large, is received and spooled even for a request without a token. An endpoint that takes the
:class:`~starlette.requests.Request` instead reads nothing until it calls :func:`read_file_field`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from dispatch.photos import PhotoRejectedError

FORM_ROOM_BYTES = 16 * 1024
"""What a form may hold besides the file itself: boundaries, part headers, a file name."""


def file_form_schema(field: str, description: str) -> dict[str, object]:
    """The OpenAPI ``requestBody`` of a form with one required file field (for ``openapi_extra``)."""
    schema = {
        "type": "object",
        "required": [field],
        "properties": {field: {"type": "string", "format": "binary", "description": description}},
    }
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


def _too_large(max_bytes: int) -> PhotoRejectedError:
    return PhotoRejectedError(
        f"the upload is more than {max_bytes + FORM_ROOM_BYTES} bytes; "
        f"a photo of at most {max_bytes} bytes is accepted",
        413,
    )


async def _at_most(chunks: AsyncIterator[bytes], limit: int, max_bytes: int) -> AsyncGenerator[bytes, None]:
    """The body's chunks, failing once they add up to more than ``limit`` bytes (nothing more is read)."""
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limit:
            raise _too_large(max_bytes)
        yield chunk


async def read_file_field(request: Request, field: str, max_bytes: int) -> bytes:
    """The content of file field ``field``, at most ``max_bytes + 1`` bytes of it (the caller tells a file
    that is too large by its length).

    The body is read as it arrives and never beyond ``max_bytes`` plus :data:`FORM_ROOM_BYTES`:
    :class:`PhotoRejectedError` 413 as soon as it is larger (at once when its ``Content-Length`` says so);
    415 when it is not ``multipart/form-data``; 422 when it is not a readable form or lacks the field.
    """
    limit = max_bytes + FORM_ROOM_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(max_bytes)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise PhotoRejectedError(f"send the photo as multipart/form-data, in a file field {field!r}", 415)
    parser = MultiPartParser(
        request.headers, _at_most(request.stream(), limit, max_bytes), max_files=1, max_fields=8
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise PhotoRejectedError(f"the upload is not a readable form: {error.message}", 422) from None
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise PhotoRejectedError(f"the form has no file field {field!r}", 422)
        return await upload.read(max_bytes + 1)
    finally:
        await form.close()
