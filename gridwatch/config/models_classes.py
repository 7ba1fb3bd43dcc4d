"""Departments and event classes: what counts as a case, who finally answers for it, and its time limits."""

from __future__ import annotations

from dataclasses import dataclass
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


class GridTimeLimits(ConfigModel):
    """Time limits of one event class in one community grid or micro-grid, replacing the class's own.

    A micro-grid's limits win over its community's; a limit left out keeps the next level's value.
    """

    grid: Identifier = Field(description="Id of the community grid or micro-grid these limits apply in.")
    accept_within_h: WorkingHours | None = Field(
        default=None, description="Working hours to accept a dispatched case there; unset: inherited."
    )
    handle_within_h: WorkingHours | None = Field(
        default=None, description="Working hours from dispatch until handled there; unset: inherited."
    )
    remind_before_h: float | None = Field(
        default=None,
        ge=0,
        description="Reminder this many working hours before the deadline; unset: inherited.",
    )


@dataclass(frozen=True)
class TimeLimits:
    """The time limits that apply to one case: accept, handle and remind, in working hours."""

    accept_within_h: float
    handle_within_h: float
    remind_before_h: float

    def problem(self) -> str | None:
        """Why these limits cannot work together, or None."""
        if self.accept_within_h > self.handle_within_h:
            return (
                f"accept_within_h ({self.accept_within_h:g}) is longer than handle_within_h "
                f"({self.handle_within_h:g})"
            )
        if self.remind_before_h >= self.handle_within_h:
            return (
                f"remind_before_h ({self.remind_before_h:g}) must be shorter than handle_within_h "
                f"({self.handle_within_h:g})"
            )
        return None

    def overridden_by(self, override: GridTimeLimits | None) -> TimeLimits:
        """These limits with ``override``'s set values in place."""
        if override is None:
            return self
        return TimeLimits(
            accept_within_h=override.accept_within_h or self.accept_within_h,
            handle_within_h=override.handle_within_h or self.handle_within_h,
            remind_before_h=(
                self.remind_before_h if override.remind_before_h is None else override.remind_before_h
            ),
        )


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
    grid_limits: tuple[GridTimeLimits, ...] = Field(
        default=(),
        description="Time limits for particular community grids or micro-grids (处置时限 differ by area), "
        "replacing the class's own there.",
    )
    escalation: Annotated[tuple[EscalationLevel, ...], AfterValidator(_escalation_order)] = Field(
        default=(EscalationLevel.WORKER, EscalationLevel.LEADER, EscalationLevel.DEPARTMENT),
        description="Who gets the case in turn when a time limit is missed: worker → leader → department.",
    )

    @property
    def limits(self) -> TimeLimits:
        """The class's own time limits (before any grid's)."""
        return TimeLimits(self.accept_within_h, self.handle_within_h, self.remind_before_h)

    def limits_in(self, community_id: str, micro_grid_id: str) -> TimeLimits:
        """Limits in a micro-grid: the class's own, overridden by its community's, then the micro-grid's."""
        by_grid = {limits.grid: limits for limits in self.grid_limits}
        return self.limits.overridden_by(by_grid.get(community_id)).overridden_by(by_grid.get(micro_grid_id))

    @model_validator(mode="after")
    def _limits_fit(self) -> Self:
        problem = self.limits.problem()
        if problem:
            raise ValueError(problem)
        if len(set(self.rules)) != len(self.rules):
            raise ValueError("rules names a rule kind twice")
        return self
