"""Request bodies and responses of the API (pydantic; unknown fields in a request are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dispatch.evidence import EvidenceFolder, view_url
from dispatch.persistence.case_tables import (
    CaseHistoryRecord,
    CaseRecord,
    DeliveryRecord,
    PhotoRecord,
    RatingRecord,
)
from dispatch.queries import CaseBundle
from dispatch.site_names import SiteNames
from gridwatch.messages import SYSTEM_ACTOR


class Body(BaseModel):
    """Base of request bodies."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Base of responses."""

    model_config = ConfigDict(extra="forbid")


class NoteBody(Body):
    note: str | None = Field(
        default=None, max_length=2000, description="Free text for the history, optional."
    )


class RequiredNoteBody(Body):
    note: str = Field(
        min_length=1, max_length=2000, description="Why: shown in the history and to the assignee."
    )


class RejectBody(Body):
    reason: str = Field(min_length=1, max_length=2000, description="Why the case is a false alarm.")


class HandleBody(Body):
    note: str = Field(min_length=1, max_length=2000, description="What was done on site.")
    photo_ids: list[str] = Field(
        min_length=1, max_length=10, description="Ids of photos uploaded to this case, proof of the work."
    )


class ReturnBody(Body):
    note: str = Field(min_length=1, max_length=2000, description="What still needs doing.")
    evidence_url: str | None = Field(default=None, max_length=2048, description="Fresh evidence, if any.")


class TransferBody(Body):
    to_person_id: str = Field(min_length=1, max_length=64, description="Person who takes the task.")
    note: str | None = Field(default=None, max_length=2000, description="Why, for the history.")


class RatingBody(Body):
    score: int = Field(ge=1, le=5, description="Satisfaction from 1 (bad) to 5 (very good).")
    comment: str | None = Field(default=None, max_length=2000, description="Comment, optional.")


class PersonOut(Out):
    id: str = Field(description="Person id.")
    name: str = Field(description="Full name.")
    role: str = Field(description="worker, leader, department or operator.")
    grid: str = Field(description="Grid the person answers for.")
    department: str | None = Field(description="Department id (department staff only).")


class MeOut(PersonOut):
    timezone: str = Field(
        description="IANA time zone of the site (pages show times in it), e.g. Asia/Shanghai."
    )


class CaseSummary(Out):
    id: str = Field(description="Case id.")
    incident_id: str | None = Field(description="Incident the case was filed from.")
    class_code: str = Field(description="Event class code, e.g. 06.")
    class_name: str = Field(description="Event class name, e.g. 非机动车乱停放.")
    state: str = Field(
        description="filed, dispatched, accepted, handled, returned, verified, rated, closed, rejected."
    )
    resolution: str | None = Field(description="handled, self_resolved or false_alarm once final.")
    camera_id: str = Field(description="Camera that saw it.")
    camera_name: str = Field(
        description="The camera's name: from the site configuration, else from the synchronised site "
        "tables (a camera taken out of the site file), else its id."
    )
    zone_id: str = Field(description="Zone of the camera.")
    micro_grid_id: str = Field(description="Micro-grid it happened in.")
    micro_grid_name: str = Field(description="The micro-grid's name, found as the camera's.")
    place: str = Field(description="Camera and zone names.")
    lat: float = Field(description="Latitude (WGS-84) of the camera.")
    lon: float = Field(description="Longitude (WGS-84) of the camera.")
    assignee_id: str | None = Field(description="Who holds the task now.")
    assignee_name: str | None = Field(
        description="The assignee's name, found as the camera's (someone who left the roster keeps their "
        "name); None when nobody holds the task."
    )
    assignee_level: str | None = Field(description="worker, leader or department.")
    department_id: str | None = Field(description="Line department, once escalated there.")
    evidence_url: str | None = Field(description="Latest evidence snapshot.")
    evidence_view_url: str | None = Field(
        default=None,
        description="Where a page loads the latest evidence from (/evidence/... needs the token); "
        "None when a browser cannot load it.",
    )
    dwell_s: float = Field(description="How long the objects stood in the zone, seconds.")
    object_count: int = Field(description="Offending objects in the latest observation.")
    rework_count: int = Field(description="Times it was returned or reopened.")
    filed_at: datetime = Field(description="When the case was filed.")
    dispatched_at: datetime | None = Field(description="When it was first dispatched.")
    accept_due_at: datetime | None = Field(description="Deadline to accept (current assignment).")
    handle_due_at: datetime | None = Field(description="Deadline to handle (处置时限).")
    handled_at: datetime | None = Field(description="When last marked handled.")
    closed_at: datetime | None = Field(description="When closed or rejected.")


class HistoryOut(Out):
    event_id: str = Field(description="Id of the event (also on gw.case-events).")
    kind: str = Field(description="What happened.")
    at: datetime = Field(description="When.")
    actor: str = Field(description="Who: a person id, or system.")
    actor_name: str | None = Field(
        description="The person's name, found as a case's assignee's; None for the system."
    )
    from_state: str | None = Field(description="State before.")
    to_state: str | None = Field(description="State after.")
    note: str | None = Field(description="Note.")
    data: dict[str, Any] = Field(description="Details.")
    photo_ids: list[str] = Field(description="Photos attached to this step.")


class PhotoOut(Out):
    id: str = Field(description="Photo id (use it in handle).")
    url: str = Field(description="Where to fetch it (authenticated).")
    uploaded_by: str = Field(description="Who uploaded it.")
    uploaded_at: datetime = Field(description="When.")
    content_type: str = Field(description="image/jpeg or image/png.")
    size_bytes: int = Field(description="Size in bytes.")
    width: int = Field(description="Width in pixels.")
    height: int = Field(description="Height in pixels.")
    sha256: str = Field(description="SHA-256 of the file.")


class RatingOut(Out):
    score: int = Field(description="1 to 5.")
    comment: str | None = Field(description="Comment.")
    rater_kind: str = Field(description="leader, operator or resident.")
    rater_id: str | None = Field(description="Person id; none for residents.")
    at: datetime = Field(description="When.")


class DeliveryOut(Out):
    recipient_id: str = Field(description="Who the push was for.")
    kind: str = Field(description="new_task, reminder, escalated or returned.")
    status: str = Field(description="pending, sending, delivered or failed.")
    channel: str | None = Field(description="Channel that took it.")
    finished_at: datetime | None = Field(description="When the outcome was known.")


class CaseDetail(CaseSummary):
    first_evidence_url: str | None = Field(description="Evidence when the case was filed.")
    first_evidence_view_url: str | None = Field(
        default=None, description="Where a page loads the first evidence from."
    )
    boxes: list[list[float]] = Field(description="Boxes of the latest observation, pixels xyxy.")
    handled_note: str | None = Field(description="The assignee's note when handling.")
    history: list[HistoryOut] = Field(description="Everything that happened, in order.")
    photos: list[PhotoOut] = Field(description="Uploaded photos.")
    ratings: list[RatingOut] = Field(description="Ratings.")
    deliveries: list[DeliveryOut] = Field(description="Pushes and their outcomes.")


class RatingLinkOut(Out):
    url: str = Field(description="Link to give the resident (single use).")
    token: str = Field(description="The signed token inside the link.")
    expires_at: datetime = Field(description="When the link stops working.")


class PublicCaseOut(Out):
    case_id: str = Field(description="Case id.")
    class_name: str = Field(description="Event class name.")
    place: str = Field(description="Where.")
    state: str = Field(description="Current state.")
    expires_at: datetime = Field(description="When this rating link stops working.")


def summary(case: CaseRecord, names: SiteNames, evidence: EvidenceFolder | None = None) -> dict[str, Any]:
    """The summary fields of ``case``, naming what it refers to through ``names``."""
    return {
        "id": case.id,
        "incident_id": case.incident_id,
        "class_code": case.class_code,
        "class_name": names.event_class(case.class_code).name,
        "state": case.state.value,
        "resolution": None if case.resolution is None else case.resolution.value,
        "camera_id": case.camera_id,
        "camera_name": names.camera(case.camera_id),
        "zone_id": case.zone_id,
        "micro_grid_id": case.micro_grid_id,
        "micro_grid_name": names.micro_grid(case.micro_grid_id),
        "place": case.place,
        "lat": case.lat,
        "lon": case.lon,
        "assignee_id": case.assignee_id,
        "assignee_name": None if case.assignee_id is None else names.person(case.assignee_id),
        "assignee_level": None if case.assignee_level is None else case.assignee_level.value,
        "department_id": case.department_id,
        "evidence_url": case.evidence_url,
        "evidence_view_url": view_url(evidence, case.evidence_url),
        "dwell_s": case.dwell_s,
        "object_count": case.object_count,
        "rework_count": case.rework_count,
        "filed_at": case.filed_at,
        "dispatched_at": case.dispatched_at,
        "accept_due_at": case.accept_due_at,
        "handle_due_at": case.handle_due_at,
        "handled_at": case.handled_at,
        "closed_at": case.closed_at,
    }


def case_summary(case: CaseRecord, names: SiteNames, evidence: EvidenceFolder | None = None) -> CaseSummary:
    return CaseSummary(**summary(case, names, evidence))


def photo_out(photo: PhotoRecord) -> PhotoOut:
    return PhotoOut(
        id=photo.id,
        url=f"/api/v1/photos/{photo.id}",
        uploaded_by=photo.uploaded_by,
        uploaded_at=photo.uploaded_at,
        content_type=photo.content_type,
        size_bytes=photo.size_bytes,
        width=photo.width,
        height=photo.height,
        sha256=photo.sha256,
    )


def _history(row: CaseHistoryRecord, names: SiteNames) -> HistoryOut:
    return HistoryOut(
        event_id=row.event_id,
        kind=row.kind.value,
        at=row.at,
        actor=row.actor,
        actor_name=None if row.actor == SYSTEM_ACTOR else names.person(row.actor),
        from_state=row.from_state,
        to_state=row.to_state,
        note=row.note,
        data=row.data,
        photo_ids=row.photo_ids,
    )


def _rating(row: RatingRecord) -> RatingOut:
    return RatingOut(
        score=row.score, comment=row.comment, rater_kind=row.rater_kind, rater_id=row.rater_id, at=row.at
    )


def _delivery(row: DeliveryRecord) -> DeliveryOut:
    return DeliveryOut(
        recipient_id=row.recipient_id,
        kind=row.kind,
        status=row.status.value,
        channel=row.channel,
        finished_at=row.finished_at,
    )


def case_detail(bundle: CaseBundle, names: SiteNames, evidence: EvidenceFolder | None = None) -> CaseDetail:
    case = bundle.case
    return CaseDetail(
        **summary(case, names, evidence),
        first_evidence_url=case.first_evidence_url,
        first_evidence_view_url=view_url(evidence, case.first_evidence_url),
        boxes=case.boxes,
        handled_note=case.handled_note,
        history=[_history(row, names) for row in bundle.history],
        photos=[photo_out(photo) for photo in bundle.photos],
        ratings=[_rating(row) for row in bundle.ratings],
        deliveries=[_delivery(row) for row in bundle.deliveries],
    )
