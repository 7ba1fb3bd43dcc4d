"""The API the phone page needs: my tasks, a case with evidence and history, accept, photo, handle."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.domain.commands import ReceiveIncident
from tests.dispatch.api.images import jpeg, png
from tests.dispatch.core.api_harness import Api, make_api
from tests.dispatch.core.flows import LEADER, OPERATOR, OTHER_LEADER, OTHER_WORKER, WORKER
from tests.dispatch.core.harness import HarnessFactory, incident, local


def _file(api: Api, incident_id: str = "inc-1") -> str:
    api.harness.core.bus.handle(ReceiveIncident(incident(incident_id)))
    return api.harness.case_of(incident_id).id


def test_worker_sees_the_new_task_and_works_it_through(api: Api) -> None:
    case_id = _file(api)
    tasks = api.get("/api/v1/me/tasks", WORKER)
    assert tasks.status_code == 200
    assert [(t["id"], t["state"], t["class_name"]) for t in tasks.json()] == [
        (case_id, "dispatched", "非机动车乱停放")
    ]

    detail = api.get(f"/api/v1/cases/{case_id}", WORKER).json()
    assert detail["evidence_url"] == "http://evidence.example/inc-1.jpg"
    assert [h["kind"] for h in detail["history"]] == ["filed", "dispatched"]

    assert api.post(f"/api/v1/cases/{case_id}/accept", WORKER).json()["state"] == "accepted"
    photo = api.post(
        f"/api/v1/cases/{case_id}/photos", WORKER, files={"file": ("a.jpg", jpeg(), "image/jpeg")}
    )
    assert photo.status_code == 201, photo.text
    assert (photo.json()["width"], photo.json()["content_type"]) == (64, "image/jpeg")
    handled = api.post(
        f"/api/v1/cases/{case_id}/handle",
        WORKER,
        json={"note": "moved 3 bikes", "photo_ids": [photo.json()["id"]]},
    )
    assert handled.status_code == 200, handled.text
    body = handled.json()
    assert body["state"] == "handled"
    assert body["history"][-1]["photo_ids"] == [photo.json()["id"]]
    fetched = api.get(photo.json()["url"], LEADER)
    assert (fetched.status_code, fetched.content) == (200, jpeg())


def test_the_assignee_reports_nothing_there_and_the_case_ends_as_a_false_alarm(api: Api) -> None:
    case_id = _file(api)
    assert api.post(f"/api/v1/cases/{case_id}/nothing-there", LEADER).status_code == 403  # not the assignee
    answer = api.post(f"/api/v1/cases/{case_id}/nothing-there", WORKER, json={"note": "只有一辆快递车"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["state"], body["resolution"]) == ("rejected", "false_alarm")
    assert (body["history"][-1]["kind"], body["history"][-1]["note"]) == ("rejected", "只有一辆快递车")
    again = api.post(f"/api/v1/cases/{case_id}/nothing-there", WORKER)
    assert again.status_code == 409 and "rejected" in again.json()["detail"]


def test_illegal_transition_is_409_naming_action_and_state(api: Api) -> None:
    case_id = _file(api)
    answer = api.post(f"/api/v1/cases/{case_id}/handle", WORKER, json={"note": "x", "photo_ids": ["p"]})
    assert answer.status_code == 409
    assert answer.json() == {"detail": "cannot handle a case that is dispatched"}


@pytest.mark.parametrize(
    ("person", "status"),
    [(WORKER, 200), (LEADER, 200), (OPERATOR, 200), (OTHER_WORKER, 404), (OTHER_LEADER, 404), ("p-039", 404)],
)
def test_who_may_read_a_case(api: Api, person: str, status: int) -> None:
    case_id = _file(api)
    answer = api.get(f"/api/v1/cases/{case_id}", person)
    assert answer.status_code == status
    if status == 404:
        assert answer.json() == {"detail": f"no case {case_id}"}


def test_a_worker_lists_only_their_own_tasks(api: Api) -> None:
    _file(api)
    assert api.get("/api/v1/cases", OTHER_WORKER).json() == []
    assert api.get("/api/v1/me/tasks", OTHER_WORKER).json() == []
    assert len(api.get("/api/v1/cases", LEADER).json()) == 1
    assert api.get("/api/v1/cases", OTHER_LEADER).json() == []


@pytest.mark.parametrize(
    ("person", "action", "status"),
    [
        (OTHER_WORKER, "accept", 404),  # cannot even see it
        (LEADER, "accept", 403),  # sees it, but it is not the leader's task
        (WORKER, "verify", 409),  # a dispatched case cannot be verified at all
        (WORKER, "confirm", 409),
    ],
)
def test_who_may_change_a_case(api: Api, person: str, action: str, status: int) -> None:
    case_id = _file(api)
    answer = api.post(f"/api/v1/cases/{case_id}/{action}", person)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]


def test_a_worker_may_not_verify_their_own_work(api: Api) -> None:
    case_id = _file(api)
    api.post(f"/api/v1/cases/{case_id}/accept", WORKER)
    photo = api.post(f"/api/v1/cases/{case_id}/photos", WORKER, files={"file": ("a.png", png(), "image/png")})
    api.post(
        f"/api/v1/cases/{case_id}/handle", WORKER, json={"note": "done", "photo_ids": [photo.json()["id"]]}
    )
    answer = api.post(f"/api/v1/cases/{case_id}/verify", WORKER)
    assert answer.status_code == 403
    assert "may not verify" in answer.json()["detail"]
    assert api.post(f"/api/v1/cases/{case_id}/verify", LEADER).json()["state"] == "verified"


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "missing Authorization: Bearer <token>"),
        ({"Authorization": "Bearer gw_nonsense"}, "the token is unknown or revoked"),
    ],
)
def test_requests_without_a_valid_token_are_401(api: Api, headers: dict[str, str], detail: str) -> None:
    answer = api.client.get("/api/v1/me/tasks", headers=headers)
    assert (answer.status_code, answer.json()["detail"]) == (401, detail)


@pytest.mark.parametrize(
    ("filename", "content", "status", "detail"),
    [
        ("a.jpg", b"GIF89a" + b"\0" * 100, 415, "neither a JPEG nor a PNG"),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100, 422, "does not decode"),
        ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, 422, "does not decode"),
        ("a.jpg", b"", 422, "photo is empty"),
    ],
)
def test_bad_photos_are_refused_naming_why(
    api: Api, filename: str, content: bytes, status: int, detail: str
) -> None:
    case_id = _file(api)
    answer = api.post(
        f"/api/v1/cases/{case_id}/photos", WORKER, files={"file": (filename, content, "image/jpeg")}
    )
    assert answer.status_code == status
    assert detail in answer.json()["detail"]


def test_oversized_photo_is_413(new_harness: HarnessFactory, tmp_path: Path) -> None:
    api = make_api(new_harness(local("2026-11-23 09:00"), photo_max_bytes=500), tmp_path / "photos")
    case_id = _file(api)
    answer = api.post(
        f"/api/v1/cases/{case_id}/photos", WORKER, files={"file": ("a.jpg", jpeg(), "image/jpeg")}
    )
    assert answer.status_code == 413
    assert "at most 500" in answer.json()["detail"]


def test_unknown_body_fields_are_refused(api: Api) -> None:
    case_id = _file(api)
    answer = api.post(f"/api/v1/cases/{case_id}/reject", OPERATOR, json={"reason": "van", "extra": 1})
    assert answer.status_code == 422
    assert "extra" in str(answer.json()["detail"])


def test_openapi_lists_the_routes(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/me/tasks",
        "/api/v1/me/events",
        "/api/v1/cases/{case_id}/handle",
        "/api/v1/cases/{case_id}/photos",
        "/api/v1/indicators",
        "/open311/v2/requests.{fmt}",
    ):
        assert path in paths
