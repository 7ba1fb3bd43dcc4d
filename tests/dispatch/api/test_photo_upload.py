"""A photo upload is refused before its body is read: the token and the right to add photos to the case are
checked first, so a refused upload costs the server nothing of its size; an allowed one is read up to the
size limit and no further.

The requests go through httpx's ASGI transport, which hands the application the body only as the
application asks for it (ASGI ``receive``); the body is an async generator that counts what was pulled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.dispatch.api.images import jpeg
from tests.dispatch.core.api_harness import Api, make_api
from tests.dispatch.core.flows import OTHER_LEADER, OTHER_WORKER, WORKER, to_state
from tests.dispatch.core.harness import HarnessFactory, local

MAX_BYTES = 4096
"""The photo limit of these tests."""

BOUNDARY = "gw-upload-test"
CHUNK = 8192
BIG = 2 * 1024 * 1024
"""A body far above the limit (and above the room the form's own headers get)."""


class CountingBody:
    """A multipart/form-data body with one file field, handed out in chunks; ``pulled`` counts the bytes
    the server asked for."""

    def __init__(self, payload: bytes) -> None:
        head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.body = head + payload + f"\r\n--{BOUNDARY}--\r\n".encode()
        self.pulled = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), CHUNK):
            chunk = self.body[start : start + CHUNK]
            self.pulled += len(chunk)
            yield chunk


def _upload(api: Api, case_id: str, body: CountingBody, headers: dict[str, str]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=api.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dispatch.test") as client:
            return await client.post(
                f"/api/v1/cases/{case_id}/photos",
                content=body.chunks(),
                headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            )

    return asyncio.run(send())


@pytest.fixture
def small_limit_api(new_harness: HarnessFactory, tmp_path: Path) -> Api:
    return make_api(new_harness(local("2026-11-23 09:00"), photo_max_bytes=MAX_BYTES), tmp_path / "photos")


@pytest.mark.parametrize(
    ("state", "who", "status", "detail"),
    [
        ("accepted", None, 401, "missing Authorization"),
        ("accepted", OTHER_WORKER, 404, "no case"),  # may not see it
        ("accepted", OTHER_LEADER, 404, "no case"),  # another micro-grid's leader
        ("closed", WORKER, 403, "takes no more photos"),  # the assignee, but the case is final
    ],
)
def test_a_refused_upload_is_answered_before_its_body_is_read(
    small_limit_api: Api, state: str, who: str | None, status: int, detail: str
) -> None:
    api = small_limit_api
    case_id = to_state(api.harness, state)
    body = CountingBody(b"\xff\xd8\xff" + b"\0" * BIG)  # far above the limit: a read would say 413

    answer = _upload(api, case_id, body, {} if who is None else api.auth(who))

    assert (answer.status_code, body.pulled) == (status, 0), answer.text
    assert detail in answer.json()["detail"]


def test_an_allowed_upload_larger_than_the_limit_is_413_without_reading_it_all(small_limit_api: Api) -> None:
    api = small_limit_api
    case_id = to_state(api.harness, "accepted")
    body = CountingBody(b"\xff\xd8\xff" + b"\0" * BIG)

    answer = _upload(api, case_id, body, api.auth(WORKER))

    assert answer.status_code == 413, answer.text
    assert f"at most {MAX_BYTES}" in answer.json()["detail"]
    assert 0 < body.pulled < 64 * 1024 < len(body.body)  # stopped at the limit and the form's room


def test_an_allowed_streamed_upload_is_stored(small_limit_api: Api, tmp_path: Path) -> None:
    api = small_limit_api
    case_id = to_state(api.harness, "accepted")
    body = CountingBody(jpeg())

    answer = _upload(api, case_id, body, api.auth(WORKER))

    assert answer.status_code == 201, answer.text
    assert (answer.json()["uploaded_by"], answer.json()["width"], body.pulled) == (WORKER, 64, len(body.body))
    assert (tmp_path / "photos" / case_id / f"{answer.json()['id']}.jpg").read_bytes() == jpeg()


def _send(api: Api, case_id: str, kind: str) -> httpx.Response:
    path, auth = f"/api/v1/cases/{case_id}/photos", api.auth(WORKER)
    answer: httpx.Response
    if kind == "raw jpeg":
        answer = api.client.post(path, headers={**auth, "Content-Type": "image/jpeg"}, content=jpeg())
    elif kind == "file in another field":
        answer = api.client.post(path, headers=auth, files={"photo": ("a.jpg", jpeg(), "image/jpeg")})
    else:
        assert kind == "text in the file field"
        answer = api.client.post(path, headers=auth, data={"file": "x"}, files={"note": ("n.txt", b"x")})
    return answer


@pytest.mark.parametrize(
    ("kind", "status", "detail"),
    [
        ("raw jpeg", 415, "send the photo as multipart/form-data"),
        ("file in another field", 422, "no file field 'file'"),
        ("text in the file field", 422, "no file field 'file'"),
    ],
)
def test_an_upload_that_is_not_a_form_with_a_file_field_says_so(
    api: Api, kind: str, status: int, detail: str
) -> None:
    case_id = to_state(api.harness, "accepted")
    answer = _send(api, case_id, kind)
    assert (answer.status_code, detail in answer.json()["detail"]) == (status, True), answer.text


def test_openapi_shows_the_upload_as_a_form_with_a_file(api: Api) -> None:
    operation = api.client.get("/openapi.json").json()["paths"]["/api/v1/cases/{case_id}/photos"]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert (schema["required"], schema["properties"]["file"]["format"]) == (["file"], "binary")
