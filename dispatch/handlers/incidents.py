"""Incidents become cases: one case per incident id, refreshed by updates, verified or closed by ends.

Idempotent: a message whose revision is not above the case's ``incident_revision`` changes nothing (a
redelivery or a replay), and ``cases.incident_id`` is unique, so two consumers racing on the same ``new``
file one case (the loser's transaction fails and the bus runs the command again, which then finds the case).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from dispatch.clock import from_epoch
from dispatch.domain.actors import SYSTEM, Actor
from dispatch.domain.commands import ReceiveIncident
from dispatch.domain.errors import InvalidCommandError
from dispatch.domain.states import Action, CaseState, Resolution
from dispatch.handlers.steps import apply, assign, event_class_of, owe_push, set_timer
from dispatch.history import JsonScalar, record
from dispatch.ids import new_case_id
from dispatch.persistence.case_tables import CaseRecord, TimerKind
from dispatch.routing import route_to_worker
from dispatch.unit_of_work import UnitOfWork
from dispatch.verification import Verdict, camera_verdict, grace_for
from gridwatch.config import ReviewPolicy
from gridwatch.messages import CaseEventKind, Incident, Lifecycle


class IncidentOutcome(StrEnum):
    """What one incident message did (returned by the handler, logged by the consumer)."""

    FILED = "filed"
    DUPLICATE = "duplicate"
    REFRESHED = "refreshed"
    VERIFIED = "verified"
    RETURNED = "returned"
    RESOLVED = "resolved"
    END_NOTED = "end_noted"


def receive_incident(command: ReceiveIncident, uow: UnitOfWork) -> IncidentOutcome:
    """File, refresh, verify, return or close the case of an incident, and commit."""
    incident = command.incident
    case = uow.case_for_incident(incident.incident_id)
    if case is None:
        case = _file(uow, incident)
        outcome = IncidentOutcome.FILED
        if incident.lifecycle is not Lifecycle.END:
            _dispatch_if_auto(uow, case)
        else:
            outcome = _apply_verdict(uow, case, incident, filed_now=True)
    elif incident.revision <= case.incident_revision:
        return IncidentOutcome.DUPLICATE
    else:
        _refresh(case, incident)
        outcome = _apply_verdict(uow, case, incident, filed_now=False)
    uow.commit()
    return outcome


def _file(uow: UnitOfWork, incident: Incident) -> CaseRecord:
    site = uow.site
    try:
        camera = site.camera(incident.camera_id)
    except KeyError:
        raise InvalidCommandError(
            f"incident {incident.incident_id}: camera {incident.camera_id} is not in the site configuration"
        ) from None
    try:
        event_class = site.event_class(incident.class_code.value)
    except KeyError:
        raise InvalidCommandError(
            f"incident {incident.incident_id}: event class {incident.class_code.value} is not configured"
        ) from None
    micro_grid_id = camera.micro_grid
    try:
        zone_name = camera.zone(incident.zone_id).name
    except KeyError:
        zone_name = incident.zone_id
    case = CaseRecord(
        id=new_case_id(uow.now),
        site_id=site.site.id,
        incident_id=incident.incident_id,
        class_code=event_class.code,
        rule=incident.rule.value,
        camera_id=camera.id,
        zone_id=incident.zone_id,
        micro_grid_id=micro_grid_id,
        community_id=site.community_of(micro_grid_id).id,
        place=f"{camera.name} / {zone_name}",
        lat=camera.location.lat,
        lon=camera.location.lon,
        state=CaseState.FILED,
        assignment_seq=0,
        rework_count=0,
        first_evidence_url=incident.evidence_url,
        filed_at=uow.now,
        updated_at=uow.now,
        dwell_s=incident.dwell_s,
        object_count=incident.object_count,
        boxes=[list(box) for box in incident.boxes],
        incident_revision=incident.revision,
        incident_started_at=from_epoch(incident.started_at),
        incident_observed_at=from_epoch(incident.observed_at),
    )
    _refresh(case, incident)
    uow.session.add(case)
    uow.session.flush()  # the UNIQUE(incident_id) check happens here
    record(
        uow,
        case,
        CaseEventKind.FILED,
        SYSTEM.id,
        to_state=CaseState.FILED.value,
        note=f"{event_class.name}: {case.place}",
        data={
            "incident_id": incident.incident_id,
            "class_code": event_class.code,
            "camera_id": camera.id,
            "zone_id": incident.zone_id,
            "micro_grid_id": micro_grid_id,
            "reported_micro_grid_id": incident.micro_grid_id,
            "dwell_s": incident.dwell_s,
            "object_count": incident.object_count,
            "evidence_url": incident.evidence_url,
            "review": event_class.review.value,
        },
    )
    return case


def _refresh(case: CaseRecord, incident: Incident) -> None:
    case.incident_revision = incident.revision
    case.incident_observed_at = from_epoch(incident.observed_at)
    case.dwell_s = incident.dwell_s
    case.object_count = incident.object_count
    case.boxes = [list(box) for box in incident.boxes]
    if incident.evidence_url is not None:
        case.evidence_url = incident.evidence_url
    if incident.boxes:  # what a labelled example of the case shows (an end has no boxes)
        case.sighting_boxes = [list(box) for box in incident.boxes]
        case.sighting_evidence_url = incident.evidence_url
        case.sighting_at = from_epoch(incident.observed_at)
        case.model_id = incident.model_id
    if incident.ended_at is not None:
        case.incident_ended_at = from_epoch(incident.ended_at)


def _dispatch_if_auto(uow: UnitOfWork, case: CaseRecord) -> None:
    if event_class_of(uow, case).review is ReviewPolicy.AUTO:
        dispatch_to_worker(uow, case)


def dispatch_to_worker(uow: UnitOfWork, case: CaseRecord) -> None:
    """Route a filed case to the worker on duty in its micro-grid (or its leader) and dispatch it."""
    assignment = route_to_worker(uow.site, case.micro_grid_id, uow.now, uow.open_load)
    assign(uow, case, assignment, Action.DISPATCH, SYSTEM, push_kind="new_task")


def _apply_verdict(
    uow: UnitOfWork, case: CaseRecord, incident: Incident, *, filed_now: bool
) -> IncidentOutcome:
    event_class = event_class_of(uow, case)
    verdict = camera_verdict(
        case.state,
        incident.lifecycle,
        from_epoch(incident.observed_at),
        case.handled_at,
        grace_for(uow.site, uow.settings, case.camera_id, case.zone_id, case.rule),
        event_class.on_end_before_handling,
    )
    seen = {"incident_revision": incident.revision, "object_count": incident.object_count}
    if verdict is Verdict.VERIFY:
        apply(
            uow, case, Action.VERIFY, SYSTEM, note="camera: the zone is clear", data={**seen, "by": "camera"}
        )
        case.verified_at = uow.now
        schedule_auto_close(uow, case)
        return IncidentOutcome.VERIFIED
    if verdict is Verdict.RETURN:
        return_for_rework(
            uow,
            case,
            note=f"camera still sees {incident.object_count} object(s) after handling",
            evidence_url=incident.evidence_url,
            data={**seen, "by": "camera"},
        )
        return IncidentOutcome.RETURNED
    if verdict is Verdict.RESOLVE:
        apply(
            uow,
            case,
            Action.RESOLVE,
            SYSTEM,
            note="the incident ended before handling; closed as the class says",
            data={**seen, "policy": "close"},
        )
        case.resolution = Resolution.SELF_RESOLVED
        case.closed_at = uow.now
        return IncidentOutcome.RESOLVED
    if verdict is Verdict.NOTE_END:
        if filed_now:
            _dispatch_if_auto(uow, case)
        apply(
            uow,
            case,
            Action.NOTE_END,
            SYSTEM,
            note="the incident ended before handling; kept open as the class says",
            data={**seen, "policy": "keep"},
        )
        return IncidentOutcome.END_NOTED
    return IncidentOutcome.FILED if filed_now else IncidentOutcome.REFRESHED


def return_for_rework(
    uow: UnitOfWork,
    case: CaseRecord,
    *,
    note: str,
    evidence_url: str | None,
    data: Mapping[str, JsonScalar],
    actor: Actor = SYSTEM,
    action: Action = Action.RETURN,
) -> None:
    """Send a case back to its assignee (returned, or reopened), with fresh evidence; counts one rework."""
    if evidence_url is not None:
        case.evidence_url = evidence_url
    case.rework_count += 1
    apply(
        uow,
        case,
        action,
        actor,
        note=note,
        data={**data, "evidence_url": evidence_url, "rework_count": case.rework_count},
    )
    if case.assignee_id is not None:
        owe_push(uow, case, case.assignee_id, "returned", note)


def schedule_auto_close(uow: UnitOfWork, case: CaseRecord) -> None:
    """Set the auto-close timer of a verified case (when the settings ask for one)."""
    hours = uow.settings.auto_close_after_h
    if hours is not None:
        set_timer(uow, case, TimerKind.AUTO_CLOSE, uow.site.deadline(uow.now, hours))
