"""Ratings (leader and resident link), indicators, and the Open311 GeoReport v2 read API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch.domain import commands as c
from tests.dispatch.core.api_harness import Api
from tests.dispatch.core.flows import LEADER, OPERATOR, OTHER_LEADER, WORKER, actor, file_case, to_state
from tests.dispatch.core.harness import local


def test_leader_rates_a_verified_case(api: Api) -> None:
    case_id = to_state(api.harness, "verified")
    answer = api.post(f"/api/v1/cases/{case_id}/rating", LEADER, json={"score": 4, "comment": "ok"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "rated"
    assert answer.json()["ratings"][0] | {"at": None} == {
        "score": 4,
        "comment": "ok",
        "rater_kind": "leader",
        "rater_id": LEADER,
        "at": None,
    }


@pytest.mark.parametrize("score", [0, 6])
def test_score_out_of_range_is_422(api: Api, score: int) -> None:
    case_id = to_state(api.harness, "verified")
    answer = api.post(f"/api/v1/cases/{case_id}/rating", LEADER, json={"score": score})
    assert answer.status_code == 422
    assert "score" in str(answer.json()["detail"])


def test_another_grids_leader_cannot_rate(api: Api) -> None:
    case_id = to_state(api.harness, "verified")
    assert api.post(f"/api/v1/cases/{case_id}/rating", OTHER_LEADER, json={"score": 3}).status_code == 404


def test_resident_link_rates_once_and_expires(api: Api) -> None:
    case_id = to_state(api.harness, "closed")
    link = api.post(f"/api/v1/cases/{case_id}/rating-link", LEADER)
    assert link.status_code == 201, link.text
    token = link.json()["token"]
    assert link.json()["url"].endswith(f"/rate/{token}")

    shown = api.client.get(f"/api/v1/public/ratings/{token}")
    assert (shown.status_code, shown.json()["case_id"]) == (200, case_id)
    first = api.client.post(f"/api/v1/public/ratings/{token}", json={"score": 5, "comment": "很好"})
    assert first.status_code == 204, first.text
    again = api.client.post(f"/api/v1/public/ratings/{token}", json={"score": 1})
    assert (again.status_code, again.json()) == (409, {"detail": "this rating link was already used"})

    ratings = api.get(f"/api/v1/cases/{case_id}", OPERATOR).json()["ratings"]
    assert [(r["score"], r["rater_kind"], r["rater_id"]) for r in ratings] == [(5, "resident", None)]
    assert api.get(f"/api/v1/cases/{case_id}", OPERATOR).json()["state"] == "closed"

    second = api.post(f"/api/v1/cases/{case_id}/rating-link", LEADER).json()["token"]
    api.harness.clock.advance(hours=73)
    expired = api.client.post(f"/api/v1/public/ratings/{second}", json={"score": 2})
    assert expired.status_code == 403
    assert "expired" in expired.json()["detail"]


def test_forged_link_is_refused(api: Api) -> None:
    case_id = to_state(api.harness, "closed")
    token = api.post(f"/api/v1/cases/{case_id}/rating-link", LEADER).json()["token"]
    payload, signature = token.split(".")
    forged = f"{payload}.{signature[:-2]}AA"
    answer = api.client.post(f"/api/v1/public/ratings/{forged}", json={"score": 5})
    assert (answer.status_code, answer.json()["detail"]) == (
        403,
        "the rating link's signature does not match",
    )
    assert api.client.get("/api/v1/public/ratings/garbage").status_code == 403


def test_indicators_per_grid(api: Api) -> None:
    h = api.harness
    on_time = to_state(h, "closed")  # handled 09:00, due 11:00
    assert on_time
    late = _file_other(h, "inc-2")
    h.core.bus.handle(c.AcceptCase(late, actor(h, WORKER)))
    h.clock.set(local("2026-11-23 11:30"))  # past the 11:00 deadline, not handled: due, not closed
    reworked = _file_other(h, "inc-3")
    h.core.bus.handle(c.AcceptCase(reworked, actor(h, WORKER)))
    from tests.dispatch.core.flows import handle

    handle(h, reworked, photo="ph-r1")
    h.core.bus.handle(c.ReturnCase(reworked, actor(h, LEADER), note="still there"))
    handle(h, reworked, photo="ph-r2")
    h.core.bus.handle(c.VerifyCase(reworked, actor(h, LEADER)))
    h.core.bus.handle(c.CloseCase(reworked, actor(h, LEADER)))  # closed, reworked, due 13:30+: on time
    h.clock.set(local("2026-11-23 16:00"))

    answer = api.get("/api/v1/indicators", OPERATOR, params={"group_by": "grid", "since": "2026-11-23"})
    assert answer.status_code == 200, answer.text
    (row,) = answer.json()["rows"]
    assert (
        row["key"],
        row["dispatched"],
        row["due"],
        row["closed"],
        row["closed_on_time"],
        row["reopened"],
    ) == (
        "mg-xq-01",
        3,
        3,
        2,
        2,
        1,
    )
    assert row["closure_rate"] == pytest.approx(2 / 3)
    assert row["on_time_rate"] == pytest.approx(2 / 3)
    assert row["rework_rate"] == pytest.approx(1 / 2)
    assert row["mean_dispatch_s"] == 0

    worker_view = api.get("/api/v1/indicators", OTHER_LEADER, params={"since": "2026-11-23"}).json()
    assert worker_view["rows"] == []
    bad = api.get("/api/v1/indicators", OPERATOR, params={"since": "2026-11-24", "until": "2026-11-23"})
    assert bad.status_code == 422


def _file_other(h: object, incident_id: str) -> str:
    from tests.dispatch.core.flows import file_case
    from tests.dispatch.core.harness import Harness

    assert isinstance(h, Harness)
    return file_case(h, incident_id)


def test_open311_services_and_requests(api: Api) -> None:
    case_id = to_state(api.harness, "closed")
    services = api.client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} == {"06", "04", "01"}

    requests = api.client.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    assert [(r["service_request_id"], r["status"], r["service_code"]) for r in requests] == [
        (case_id, "closed", "06")
    ]
    assert requests[0]["agency_responsible"] == "清溪镇综合行政执法队"
    assert api.client.get("/open311/v2/requests.json", params={"status": "open"}).json() == []
    one = api.client.get(f"/open311/v2/requests/{case_id}.json").json()
    assert one[0]["lat"] == pytest.approx(30.1296)

    xml = api.client.get("/open311/v2/services.xml")
    assert (xml.status_code, xml.json()[0]["description"]) == (
        400,
        "format 'xml' is not supported; use .json",
    )
    bad_date = api.client.get("/open311/v2/requests.json", params={"start_date": "yesterday"})
    assert bad_date.status_code == 400
    assert "start_date" in bad_date.json()[0]["description"]
    missing = api.client.get("/open311/v2/requests/nope.json")
    assert missing.status_code == 404


def test_open311_filters_by_date(api: Api) -> None:
    to_state(api.harness, "dispatched")
    later = (local("2026-11-23 09:00") + timedelta(minutes=1)).isoformat()
    assert api.client.get("/open311/v2/requests.json", params={"start_date": later}).json() == []
    assert len(api.client.get("/open311/v2/requests.json", params={"end_date": later}).json()) == 1


def test_a_case_whose_class_left_the_site_file_keeps_its_names_from_the_synced_site(api: Api) -> None:
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from dispatch.persistence.case_tables import CaseRecord
    from dispatch.persistence.site_tables import EventClass

    retired, never_synced = file_case(api.harness, "inc-1"), file_case(api.harness, "inc-2")
    with Session(api.harness.engine) as session, session.begin():
        session.add(  # what a sync leaves of a class taken out of the site file
            EventClass(
                code="07",
                site_id=api.harness.site.site.id,
                active=False,
                name="乱堆物料",
                department_id="chengguan",
                accept_within_h=0.5,
                handle_within_h=2,
                remind_before_h=0.5,
                rule_kinds=["ebike_parking"],
                review="auto",
                on_end_before_handling="close",
                escalation=["worker", "leader", "department"],
            )
        )
        session.execute(update(CaseRecord).where(CaseRecord.id == retired).values(class_code="07"))
        session.execute(update(CaseRecord).where(CaseRecord.id == never_synced).values(class_code="98"))

    assert api.get(f"/api/v1/cases/{retired}", WORKER).json()["class_name"] == "乱堆物料"
    assert api.get(f"/api/v1/cases/{never_synced}", OPERATOR).json()["class_name"] == "98"
    requests = {r["service_request_id"]: r for r in api.client.get("/open311/v2/requests.json").json()}
    assert (requests[retired]["description"].split(":")[0], requests[retired]["agency_responsible"]) == (
        "乱堆物料",
        "清溪镇综合行政执法队",
    )
    assert (
        requests[never_synced]["description"].split(":")[0],
        requests[never_synced]["agency_responsible"],
    ) == (
        "98",
        "",
    )
