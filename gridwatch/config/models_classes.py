"""Departments and event classes: what counts as a case, who finally answers for it, and its time limits."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from gridwatch.config.models_common import ConfigModel, EventCode, Identifier
from gridwatch.config.models_rules import RuleKind


class Department(ConfigModel):
    """A line department (职能部门) that takes escalated cases, e.g. 城管执法 or 市场监管."""

    id: Identifier = Field(description="Unique department id, referenced by people and event classes.")
    name: str = Field(min_length=1, description="Name of the department, e.g. 城管执法.")
    phone: str | None = Field(default=None, description="Duty phone of the department, if any.")


class EscalationLevel(StrEnum):
    """Who a case goes to, in order, when the one before does not handle it in time."""

    WORKER = "worker"
    LEADER = "leader"
    DEPARTMENT = "department"


class ReviewPolicy(StrEnum):
    """Whether a detected incident becomes a case at once or waits for an operator to confirm it."""

    AUTO = "auto"
    OPERATOR = "operator"


class EndBeforeHandling(StrEnum):
    """What happens to a case whose incident ends (zone clear) before anyone handled it."""

    CLOSE = "close"
    KEEP = "keep"


def _positive_hours(value: float) -> float:
    if value <= 0:
        raise ValueError(f"time limit must be more than 0 working hours, got {value:g}")
    return value


def _escalation_order(chain: tuple[EscalationLevel, ...]) -> tuple[EscalationLevel, ...]:
    order = list(EscalationLevel)
    if not chain or chain[0] is not EscalationLevel.WORKER:
        raise ValueError("the escalation chain starts with worker")
    if len(set(chain)) != len(chain):
        raise ValueError("the escalation chain names a level twice")
    if [order.index(level) for level in chain] != sorted(order.index(level) for level in chain):
        raise ValueError("the escalation chain goes upward: worker, then leader, then department")
    return chain


WorkingHours = Annotated[float, AfterValidator(_positive_hours)]


class EventClass(ConfigModel):
    """A class of street-order event (数字城管 部件/事件 class) with its handling rules and time limits.

    Time limits are in working hours of the site calendar: the clock stops outside them and on holidays.
    """

    code: EventCode = Field(description='Standard two-digit class code, e.g. "06" for 非机动车乱停放.')
    name: str = Field(min_length=1, description="Standard class name, e.g. 非机动车乱停放.")
    rules: tuple[RuleKind, ...] = Field(
        min_length=1, description="Zone rule kinds whose incidents are this class."
    )
    department: Identifier = Field(description="Id of the line department that takes the case last.")
    accept_within_h: WorkingHours = Field(
        description="Working hours the assignee has to accept a dispatched case."
    )
    handle_within_h: WorkingHours = Field(
        description="Working hours from dispatch until the case must be handled (处置时限)."
    )
    remind_before_h: float = Field(
        default=0.0,
        ge=0,
        description="Remind the assignee this many working hours before the handling deadline.",
    )
    review: ReviewPolicy = Field(
        default=ReviewPolicy.OPERATOR,
        description="auto: incidents become cases at once; operator: an operator confirms each one first.",
    )
    on_end_before_handling: EndBeforeHandling = Field(
        default=EndBeforeHandling.KEEP,
        description="close: a case whose incident ends before handling closes itself; keep: it stays open.",
    )
    escalation: Annotated[tuple[EscalationLevel, ...], AfterValidator(_escalation_order)] = Field(
        default=(EscalationLevel.WORKER, EscalationLevel.LEADER, EscalationLevel.DEPARTMENT),
        description="Who gets the case in turn when a time limit is missed: worker → leader → department.",
    )

    @model_validator(mode="after")
    def _limits_fit(self) -> Self:
        if self.accept_within_h > self.handle_within_h:
            raise ValueError(
                f"accept_within_h ({self.accept_within_h:g}) is longer than handle_within_h "
                f"({self.handle_within_h:g})"
            )
        if self.remind_before_h >= self.handle_within_h:
            raise ValueError(
                f"remind_before_h ({self.remind_before_h:g}) must be shorter than handle_within_h "
                f"({self.handle_within_h:g})"
            )
        if len(set(self.rules)) != len(self.rules):
            raise ValueError("rules names a rule kind twice")
        return self
