"""Labelled examples from people's decisions: a rejected case and "nothing there" give a negative, a verified
case a positive; one per case, in the decision's transaction, kept across restarts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.domain import commands as c
from dispatch.domain.errors import NotAllowedError
from dispatch.persistence.label_tables import LabelRecord
from tests.dispatch.core.flows import LEADER, OPERATOR, WORKER, accept, actor, handle
from tests.dispatch.core.harness import Harness, HarnessFactory, incident, local

BIKES = ((100.0, 600.0, 180.0, 700.0), (300.0, 610.0, 380.0, 705.0))
SNAPSHOT = "file:///var/evidence/cam-0001/20261123/085000-0000000042.jpg"


def _labels(h: Harness) -> list[LabelRecord]:
    with Session(h.engine) as session:
        return list(session.scalars(select(LabelRecord).order_by(LabelRecord.id)))


def _file(h: Harness, incident_id: str = "inc-1") -> str:
    h.core.bus.handle(
        c.ReceiveIncident(
            incident(
                incident_id,
                boxes=BIKES,
                object_count=2,
                evidence_url=SNAPSHOT,
                model_id="ssdlite-mobilenetv2-coco90",
            )
        )
    )
    return h.case_of(incident_id).id


def test_a_rejected_case_is_a_negative_example_of_its_clean_frame_and_boxes(harness: Harness) -> None:
    case_id = _file(harness)
    harness.core.bus.handle(c.RejectCase(case_id, actor(harness, OPERATOR), reason="a parked delivery van"))
    (label,) = _labels(harness)
    assert (label.case_id, label.polarity.value, label.source.value, label.actor) == (
        case_id,
        "negative",
        "rejected",
        OPERATOR,
    )
    assert label.frame_url == "file:///var/evidence/cam-0001/20261123/085000-0000000042.raw.jpg"
    assert label.evidence_url == SNAPSHOT
    assert [tuple(box) for box in label.boxes] == list(BIKES)
    assert (label.camera_id, label.zone_id, label.rule, label.class_code) == (
        "cam-0001",
        "z-sidewalk",
        "ebike_parking",
        "06",
    )
    assert (label.frame_width, label.frame_height) == (1920, 1080)  # the camera's native pixels: the boxes'
    assert label.model_id == "ssdlite-mobilenetv2-coco90"
    assert label.captured_at == local("2026-11-23 08:50")


def test_nothing_there_from_the_assignee_is_a_negative_and_closes_the_case(harness: Harness) -> None:
    case_id = _file(harness)
    with pytest.raises(NotAllowedError):  # only the assignee reports what is on the spot
        harness.core.bus.handle(c.ReportNothingThere(case_id, actor(harness, LEADER)))
    accept(harness, case_id)
    harness.core.bus.handle(c.ReportNothingThere(case_id, actor(harness, WORKER), note="只有一辆快递车"))
    case = harness.case(case_id)
    assert (case.state.value, case.resolution is not None and case.resolution.value) == (
        "rejected",
        "false_alarm",
    )
    (label,) = _labels(harness)
    assert (label.polarity.value, label.source.value, label.actor) == ("negative", "nothing_there", WORKER)
    assert harness.history(case_id)[-1][:3] == ("rejected", "accepted", "rejected")


def test_a_case_verified_by_the_camera_is_a_positive_of_its_last_sighting_not_the_clear_frame(
    harness: Harness,
) -> None:
    case_id = _file(harness)
    later = "file:///var/evidence/cam-0001/20261123/085500-0000000099.jpg"
    harness.core.bus.handle(
        c.ReceiveIncident(
            incident(
                lifecycle="update",
                revision=2,
                observed_at=local("2026-11-23 08:55"),
                boxes=BIKES[:1],
                object_count=1,
                evidence_url=later,
                model_id="centernet-coco80",
            )
        )
    )
    accept(harness, case_id)
    handle(harness, case_id)
    assert _labels(harness) == []  # handling is the worker's word; verification decides
    harness.core.bus.handle(
        c.ReceiveIncident(
            incident(
                lifecycle="end",
                revision=3,
                observed_at=local("2026-11-23 09:10"),
                object_count=0,
                evidence_url="file:///var/evidence/cam-0001/20261123/091000-0000000140.jpg",
            )
        )
    )
    assert harness.case(case_id).state.value == "verified"
    (label,) = _labels(harness)
    assert (label.polarity.value, label.source.value, label.actor) == ("positive", "verified", "system")
    assert label.evidence_url == later and [tuple(b) for b in label.boxes] == [BIKES[0]]
    assert label.model_id == "centernet-coco80" and label.captured_at == local("2026-11-23 08:55")


def test_one_example_per_case_and_they_outlive_a_restart(
    harness: Harness, new_harness: HarnessFactory
) -> None:
    case_id = _file(harness)
    accept(harness, case_id)
    handle(harness, case_id)
    harness.core.bus.handle(c.VerifyCase(case_id, actor(harness, LEADER)))
    harness.core.bus.handle(c.ReopenCase(case_id, actor(harness, LEADER), note="they came back"))
    handle(harness, case_id, photo="ph-2")
    harness.core.bus.handle(c.VerifyCase(case_id, actor(harness, LEADER)))  # verified twice: one example
    rejected = _file(harness, "inc-2")
    harness.core.bus.handle(c.RejectCase(rejected, actor(harness, OPERATOR), reason="a bench"))
    harness.stop()

    again = new_harness(local("2026-11-23 10:00"))
    assert [(label.case_id, label.polarity.value, label.actor) for label in _labels(again)] == [
        (case_id, "positive", LEADER),
        (rejected, "negative", OPERATOR),
    ]


def test_a_case_that_never_had_boxes_gives_no_example(harness: Harness) -> None:
    harness.core.bus.handle(c.ReceiveIncident(incident("inc-9")))  # no boxes (an older streams worker)
    case_id = harness.case_of("inc-9").id
    harness.core.bus.handle(c.RejectCase(case_id, actor(harness, OPERATOR), reason="nothing"))
    assert _labels(harness) == []
