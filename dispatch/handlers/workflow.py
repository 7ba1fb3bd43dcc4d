"""Handlers of the people's steps: confirm or reject, accept, handle, verify, return, close, reopen, transfer,
escalate, rate. Each loads the case, checks permission and state, changes it, records it, commits once."""

from __future__ import annotations

from sqlalchemy import select

from dispatch.domain.actors import SYSTEM, Actor
from dispatch.domain.commands import (
    AcceptCase,
    CaseCommand,
    CloseCase,
    ConfirmCase,
    EscalateCase,
    HandleCase,
    RateCase,
    RejectCase,
    ReopenCase,
    ReportNothingThere,
    ReturnCase,
    TransferCase,
    VerifyCase,
)
from dispatch.domain.errors import ConflictError, InvalidCommandError
from dispatch.domain.states import Action, CaseState, Resolution, transition
from dispatch.handlers.incidents import dispatch_to_worker, return_for_rework, schedule_auto_close
from dispatch.handlers.steps import apply, assign, event_class_of
from dispatch.permissions import require_allowed, require_visible
from dispatch.persistence.case_tables import CaseRecord, EscalationLevelValue, PhotoRecord, RatingRecord
from dispatch.routing import Assignment, RoutingError, next_level, route_to_level
from dispatch.unit_of_work import UnitOfWork
from gridwatch.config import EscalationLevel, Role
from gridwatch.messages import CaseEventKind

MAX_NOTE = 2000


def _load(uow: UnitOfWork, command: CaseCommand, action: Action) -> CaseRecord:
    case = uow.case(command.case_id)
    require_visible(command.actor, case)  # 404 first: the case's existence is not revealed
    transition(action, case.state)  # then 409 naming the state: whoever sees the case sees its state
    require_allowed(command.actor, action, case)
    return case


def _text(value: str | None, what: str, *, required: bool = False) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidCommandError(f"{what} is required and must not be blank")
        return None
    if len(value) > MAX_NOTE:
        raise InvalidCommandError(f"{what} is {len(value)} characters; at most {MAX_NOTE}")
    return value.strip()


def confirm_case(command: ConfirmCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.CONFIRM)
    apply(
        uow,
        case,
        Action.CONFIRM,
        command.actor,
        note=_text(command.note, "note"),
        data={"review": "confirmed"},
    )
    dispatch_to_worker(uow, case)
    uow.commit()


def reject_case(command: RejectCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.REJECT)
    reason = _text(command.reason, "reason", required=True)
    apply(uow, case, Action.REJECT, command.actor, note=reason, data={"resolution": "false_alarm"})
    case.resolution = Resolution.FALSE_ALARM
    case.closed_at = uow.now
    uow.commit()


def report_nothing_there(command: ReportNothingThere, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.NOTHING_THERE)
    note = _text(command.note, "note")
    apply(
        uow,
        case,
        Action.NOTHING_THERE,
        command.actor,
        note=note or "nothing there",
        data={"resolution": "false_alarm", "by": "assignee"},
    )
    case.resolution = Resolution.FALSE_ALARM
    case.closed_at = uow.now
    uow.commit()


def accept_case(command: AcceptCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.ACCEPT)
    apply(uow, case, Action.ACCEPT, command.actor)
    if case.accepted_at is None:
        case.accepted_at = uow.now
    uow.commit()


def handle_case(command: HandleCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.HANDLE)
    note = _text(command.note, "note", required=True)
    if not command.photo_ids:
        raise InvalidCommandError(
            "handling a case needs at least one photo; upload it first, then name its id"
        )
    photos = uow.session.scalars(select(PhotoRecord).where(PhotoRecord.id.in_(command.photo_ids))).all()
    found = {photo.id for photo in photos if photo.case_id == case.id}
    missing = [photo_id for photo_id in command.photo_ids if photo_id not in found]
    if missing:
        raise InvalidCommandError(f"photo(s) {', '.join(missing)} were not uploaded for case {case.id}")
    apply(uow, case, Action.HANDLE, command.actor, note=note, photo_ids=command.photo_ids)
    case.handled_at = uow.now
    case.handled_by = command.actor.id
    case.handled_note = note
    if case.incident_ended_at is not None:
        # the incident already ended (zone clear, kept open by the class policy): no later camera message
        # will come for it, and the camera's last word is "clear"
        clear_since = case.incident_ended_at.astimezone(uow.site.site.tz)
        apply(
            uow,
            case,
            Action.VERIFY,
            SYSTEM,
            note=f"camera: the zone has been clear since {clear_since:%Y-%m-%d %H:%M}",
            data={"by": "camera"},
        )
        case.verified_at = uow.now
        schedule_auto_close(uow, case)
    uow.commit()


def verify_case(command: VerifyCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.VERIFY)
    apply(uow, case, Action.VERIFY, command.actor, note=_text(command.note, "note"), data={"by": "hand"})
    case.verified_at = uow.now
    schedule_auto_close(uow, case)
    uow.commit()


def return_case(command: ReturnCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.RETURN)
    note = _text(command.note, "note", required=True)
    assert note is not None
    return_for_rework(
        uow, case, note=note, evidence_url=command.evidence_url, data={"by": "hand"}, actor=command.actor
    )
    uow.commit()


def close_case(command: CloseCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.CLOSE)
    close(uow, case, command.actor, _text(command.note, "note"))
    uow.commit()


def close(uow: UnitOfWork, case: CaseRecord, actor: Actor, note: str | None) -> None:
    """Close a verified or rated case as handled."""
    apply(uow, case, Action.CLOSE, actor, note=note, data={"resolution": "handled"})
    case.resolution = Resolution.HANDLED
    case.closed_at = uow.now


def reopen_case(command: ReopenCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.REOPEN)
    note = _text(command.note, "note", required=True)
    assert note is not None
    case.resolution = None
    case.closed_at = None
    case.verified_at = None
    return_for_rework(
        uow,
        case,
        note=note,
        evidence_url=None,
        data={"by": "hand"},
        actor=command.actor,
        action=Action.REOPEN,
    )
    uow.commit()


def transfer_case(command: TransferCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.TRANSFER)
    try:
        person = uow.site.person(command.to_person_id)
    except KeyError:
        raise InvalidCommandError(f"cannot transfer to {command.to_person_id}: no such person") from None
    if person.role is Role.OPERATOR:
        raise InvalidCommandError(f"cannot transfer to {person.id}: operators do not take tasks")
    if person.id == case.assignee_id:
        raise InvalidCommandError(f"case {case.id} is already assigned to {person.id}")
    level = {
        Role.WORKER: EscalationLevel.WORKER,
        Role.LEADER: EscalationLevel.LEADER,
        Role.DEPARTMENT: EscalationLevel.DEPARTMENT,
    }[person.role]
    assignment = Assignment(person, level, person.department, f"transferred by {command.actor.id}")
    assign(
        uow,
        case,
        assignment,
        Action.TRANSFER,
        command.actor,
        note=_text(command.note, "note"),
        push_kind="new_task",
    )
    uow.commit()


def escalate_case(command: EscalateCase, uow: UnitOfWork) -> None:
    case = _load(uow, command, Action.ESCALATE)
    target = next_level(event_class_of(uow, case), _level(case))
    if target is None:
        raise ConflictError(
            f"case {case.id} is already at the top of its escalation chain ({_level(case).value})"
        )
    escalate(uow, case, target, command.actor, _text(command.note, "note") or "escalated by hand")
    uow.commit()


def _level(case: CaseRecord) -> EscalationLevel:
    return EscalationLevel((case.assignee_level or EscalationLevelValue.WORKER).value)


def escalate(uow: UnitOfWork, case: CaseRecord, level: EscalationLevel, actor: Actor, note: str) -> None:
    """Give ``case`` to whoever takes it at ``level`` (dispatched again; the handling deadline stays)."""
    try:
        assignment = route_to_level(
            uow.site, level, case.micro_grid_id, event_class_of(uow, case), uow.now, uow.open_load
        )
    except RoutingError as error:
        raise ConflictError(str(error)) from None
    assign(uow, case, assignment, Action.ESCALATE, actor, note=note, push_kind="escalated")


def rate_case(command: RateCase, uow: UnitOfWork) -> None:
    """A leader's or operator's rating, or (``link_nonce`` set, system actor) a resident's."""
    case = uow.case(command.case_id)
    require_visible(command.actor, case)
    transition(Action.RATE, case.state)
    if command.link_nonce is None:
        require_allowed(command.actor, Action.RATE, case)
    if not 1 <= command.score <= 5:
        raise InvalidCommandError(f"score must be 1 to 5, got {command.score}")
    comment = _text(command.comment, "comment")
    if command.link_nonce is not None:
        used = uow.session.scalar(
            select(RatingRecord.id).where(RatingRecord.link_nonce == command.link_nonce)
        )
        if used is not None:
            raise ConflictError("this rating link was already used")
    rater_kind = "resident" if command.link_nonce is not None else _rater_kind(command.actor)
    uow.session.add(
        RatingRecord(
            case_id=case.id,
            score=command.score,
            comment=comment,
            rater_kind=rater_kind,
            rater_id=None if command.actor.is_system else command.actor.id,
            link_nonce=command.link_nonce,
            at=uow.now,
        )
    )
    apply(
        uow,
        case,
        Action.RATE,
        command.actor,
        note=comment,
        data={"rating": command.score, "rater_kind": rater_kind},
        kind=CaseEventKind.RATED,
        check_permission=False,
    )
    uow.commit()


def _rater_kind(actor: Actor) -> str:
    if actor.person is None:
        return "system"
    return actor.person.role.value


def auto_close(uow: UnitOfWork, case: CaseRecord) -> None:
    """Close a verified or rated case on its timer."""
    if case.state in (CaseState.VERIFIED, CaseState.RATED):
        close(uow, case, SYSTEM, "closed automatically after verification")
