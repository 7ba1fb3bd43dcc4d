"""People who receive, escalate and review cases, how to reach them, and when they are on duty."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from gridwatch.config.models_common import ConfigModel, DailyWindow, Identifier

_PHONE = re.compile(r"\+?[0-9][0-9 \-]{4,19}")


def _check_phone(value: str) -> str:
    if not _PHONE.fullmatch(value):
        raise ValueError(f"{value!r} is not a phone number (digits, optional leading +, spaces or dashes)")
    return value


Phone = Annotated[str, AfterValidator(_check_phone)]


class Role(StrEnum):
    """What a person does in the case workflow."""

    WORKER = "worker"  # 微网格员: receives and handles cases of their micro-grid
    LEADER = "leader"  # 微网格长: takes what the workers could not handle in time
    DEPARTMENT = "department"  # staff of a line department: the last step of escalation
    OPERATOR = "operator"  # operations centre: reviews incidents, watches the dashboard


class WebPushChannel(ConfigModel):
    """Browser push to the worker phone page (the subscription is registered from the phone)."""

    kind: Literal["webpush"] = Field(description="Channel kind: webpush.")


class WeComChannel(ConfigModel):
    """A WeCom (企业微信) application message."""

    kind: Literal["wecom"] = Field(description="Channel kind: wecom.")
    user_id: str = Field(min_length=1, description="WeCom user id of the person.")


class DingTalkChannel(ConfigModel):
    """A DingTalk (钉钉) work notification."""

    kind: Literal["dingtalk"] = Field(description="Channel kind: dingtalk.")
    user_id: str = Field(min_length=1, description="DingTalk user id of the person.")


class SmsChannel(ConfigModel):
    """A text message."""

    kind: Literal["sms"] = Field(description="Channel kind: sms.")
    phone: Phone = Field(description="Mobile number that receives the text.")


PushChannel = Annotated[
    WebPushChannel | WeComChannel | DingTalkChannel | SmsChannel, Field(discriminator="kind")
]
"""One way to reach a person; ``kind`` selects which."""


class Person(ConfigModel):
    """Someone in the case workflow."""

    id: Identifier = Field(description="Unique person id.")
    name: str = Field(min_length=1, description="Full name.")
    role: Role = Field(description="worker, leader, department or operator.")
    grid: Identifier = Field(
        description="Grid the person answers for: a micro-grid for workers and leaders, any level otherwise."
    )
    department: Identifier | None = Field(
        default=None, description="Department id; only for role department."
    )
    phone: Phone | None = Field(default=None, description="Phone number shown to colleagues, if any.")
    channels: tuple[PushChannel, ...] = Field(default=(), description="How cases reach the person, in order.")

    @model_validator(mode="after")
    def _department_matches_role(self) -> Self:
        if self.role is Role.DEPARTMENT and self.department is None:
            raise ValueError("a person with role department names their department")
        if self.role is not Role.DEPARTMENT and self.department is not None:
            raise ValueError(f"department is only for role department, not {self.role.value}")
        return self


class Shift(DailyWindow):
    """A weekly duty window of one person (may cross midnight)."""

    person: Identifier = Field(description="Id of the person on duty.")


class Roster(ConfigModel):
    """Who is on duty for a grid, and when."""

    grid: Identifier = Field(description="Id of the grid (usually a micro-grid) the shifts cover.")
    shifts: tuple[Shift, ...] = Field(min_length=1, description="Weekly duty windows.")
