"""Recording what happened to a case: a history row (the audit trail and outbox) and its case event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dispatch.audience import audience_of
from dispatch.clock import to_epoch
from dispatch.ids import new_event_id
from dispatch.persistence.case_tables import CaseHistoryRecord, CaseRecord
from dispatch.unit_of_work import Published, UnitOfWork
from gridwatch.messages import CaseEvent, CaseEventKind

NOTE_LIMIT = 2000
"""Longest note a case event carries (the history row keeps the full text)."""

JsonScalar = str | int | float | bool | None


def record(
    uow: UnitOfWork,
    case: CaseRecord,
    kind: CaseEventKind,
    actor: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str | None = None,
    data: Mapping[str, JsonScalar] | None = None,
    photo_ids: Sequence[str] = (),
    also_tell: Sequence[str | None] = (),
) -> CaseHistoryRecord:
    """Add a history row for ``case`` and queue its case event for after the commit."""
    row = CaseHistoryRecord(
        event_id=new_event_id(uow.now),
        case_id=case.id,
        kind=kind,
        at=uow.now,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=dict(data or {}),
        photo_ids=list(photo_ids),
        published_at=None,
    )
    uow.session.add(row)
    uow.pending.append(
        Published(case_event_of(row, case.incident_id), audience_of(uow.site, case, *also_tell))
    )
    return row


def case_event_of(row: CaseHistoryRecord, incident_id: str | None) -> CaseEvent:
    """The ``gw.case-events`` message of a history row."""
    data: dict[str, Any] = {
        k: v for k, v in row.data.items() if isinstance(v, str | int | float | bool) or v is None
    }
    if row.photo_ids:
        data["photo_ids"] = ",".join(row.photo_ids)
    note = row.note if row.note is None or len(row.note) <= NOTE_LIMIT else row.note[: NOTE_LIMIT - 1] + "…"
    return CaseEvent(
        event_id=row.event_id,
        case_id=row.case_id,
        incident_id=incident_id,
        kind=row.kind,
        at=to_epoch(row.at),
        actor=row.actor,
        from_state=row.from_state,
        to_state=row.to_state,
        note=note,
        data=data,
    )
