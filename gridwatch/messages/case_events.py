"""`gw.case-events`: the audit trail of every case (案卷), keyed by case id."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from gridwatch.messages.base import EpochSeconds, GwMessage, Identifier, ShortText

#: The actor of events that no person caused (timers, the camera re-check, the router).
SYSTEM_ACTOR = "system"

#: A value in ``CaseEvent.data``: JSON scalars only, so that every consumer can read it without a schema.
JsonScalar = str | int | float | bool | None

DataKey = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class CaseEventKind(StrEnum):
    """What happened to the case (CJJ/T 106 workflow steps plus delivery and supervision events)."""

    FILED = "filed"
    CHECKED = "checked"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    ACCEPTED = "accepted"
    HANDLED = "handled"
    VERIFIED = "verified"
    RETURNED = "returned"
    REOPENED = "reopened"
    RATED = "rated"
    CLOSED = "closed"
    REJECTED = "rejected"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    REMINDED = "reminded"


class CaseEvent(GwMessage):
    """One thing that happened to one case."""

    schema_version: Literal["gw.case-events/1"] = Field(
        default="gw.case-events/1", description="Schema version of this record."
    )
    event_id: Identifier = Field(description="Unique id of this event (consumers deduplicate on it).")
    case_id: Identifier = Field(description="The case; the record key.")
    incident_id: Identifier | None = Field(
        default=None, description="The incident the case was filed from; None for a manually filed case."
    )
    kind: CaseEventKind = Field(description="What happened.")
    at: EpochSeconds = Field(description="When it happened, epoch seconds.")
    actor: Identifier = Field(description=f"Person id who caused it, or {SYSTEM_ACTOR!r}.")
    from_state: Identifier | None = Field(
        default=None, description="Case state before the event, if it moved."
    )
    to_state: Identifier | None = Field(default=None, description="Case state after the event, if it moved.")
    note: ShortText | None = Field(default=None, description="Free text from the actor, if any.")
    data: dict[DataKey, JsonScalar] = Field(
        default_factory=dict,
        max_length=64,
        description="Event details as snake_case keys to JSON scalars (e.g. assignee_id, rating, due_at).",
    )
