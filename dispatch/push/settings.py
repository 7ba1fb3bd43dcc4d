"""Push channel settings: which services are used and how to reach them; secrets are named by env variable.

Only the channels that have a section here can be used; a person's channel of a kind without one is skipped
(recorded as a failed attempt) and the next channel is tried.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from dispatch.push.notice import NoticeKind
from gridwatch.config.models_common import EnvVarName

_MAILTO = re.compile(r"mailto:[^@\s]+@[^@\s]+")


def _check_base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http(s) URL such as https://qyapi.weixin.qq.com")
    if parts.query or parts.fragment:
        raise ValueError(
            f"{value!r} must not carry a query or fragment; it is the base the API paths go under"
        )
    return value.rstrip("/")


def _check_subject(value: str) -> str:
    if _MAILTO.fullmatch(value):
        return value
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.netloc:
        return value
    raise ValueError(
        f"{value!r} is not a VAPID subject; use a contact as mailto:ops@example.org or an https:// URL"
    )


BaseUrl = Annotated[str, AfterValidator(_check_base_url)]
"""An absolute http(s) URL without query, stored without a trailing slash."""

VapidSubject = Annotated[str, AfterValidator(_check_subject)]
"""The VAPID ``sub`` claim: mailto: contact or https: URL."""


class Urgency(StrEnum):
    """The Web Push ``Urgency`` header (RFC 8030 §5.3): how eagerly a phone on battery is woken."""

    VERY_LOW = "very-low"
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


def _default_urgency() -> dict[NoticeKind, Urgency]:
    return {
        NoticeKind.NEW_TASK: Urgency.HIGH,
        NoticeKind.ESCALATED: Urgency.HIGH,
        NoticeKind.RETURNED: Urgency.HIGH,
        NoticeKind.REMINDER: Urgency.NORMAL,
    }


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetrySettings(_Settings):
    """Tries per channel, and the exponential backoff between tries after a transient failure."""

    attempts_per_channel: int = Field(
        default=3, ge=1, le=10, description="Tries on one channel before falling back to the next one."
    )
    initial_backoff_s: float = Field(
        default=1.0, gt=0, le=600, description="Wait before the second try on a channel, seconds."
    )
    multiplier: float = Field(default=2.0, ge=1.0, le=10, description="Factor the wait grows by per try.")
    max_backoff_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Longest wait between tries, seconds; also caps a Retry-After the service asks for.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_backoff_s < self.initial_backoff_s:
            raise ValueError(
                f"max_backoff_s {self.max_backoff_s} is below initial_backoff_s {self.initial_backoff_s}"
            )
        return self

    def delay_before(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before try number ``attempt`` (2 for the first retry) on the same channel."""
        if attempt < 2:
            raise ValueError(f"there is no wait before try {attempt}; retries start at try 2")
        delay = self.initial_backoff_s * self.multiplier ** (attempt - 2)
        if retry_after_s is not None:
            delay = max(delay, retry_after_s)
        return min(delay, self.max_backoff_s)


class WebPushSettings(_Settings):
    """Web Push with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291)."""

    vapid_private_key_file: Path | None = Field(
        default=None,
        description="PEM file with the VAPID P-256 private key (`gridwatch push vapid-keys` writes one).",
    )
    vapid_private_key_env: EnvVarName | None = Field(
        default=None,
        description="Environment variable holding the VAPID private key instead (PEM, or base64url raw/DER).",
    )
    subject: VapidSubject = Field(
        description="VAPID `sub` claim: who push services contact about this sender, mailto: or https: URL."
    )
    token_lifetime_s: int = Field(
        default=12 * 3600,
        ge=60,
        le=24 * 3600,
        description="Lifetime (`exp`) of each VAPID token, seconds; at most 24 h (RFC 8292 §2).",
    )
    ttl_s: int = Field(
        default=24 * 3600,
        ge=0,
        le=28 * 24 * 3600,
        description="How long the push service keeps a message for a phone that is offline, seconds (TTL).",
    )
    urgency: dict[NoticeKind, Urgency] = Field(
        default_factory=_default_urgency,
        description="Urgency header per notice kind (new_task, reminder, escalated, returned); else normal.",
    )
    collapse_per_case: bool = Field(
        default=True,
        description="Send a Topic header per case: a newer notice replaces one still waiting for the phone.",
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of one push request, seconds.")

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if (self.vapid_private_key_file is None) == (self.vapid_private_key_env is None):
            raise ValueError("name the VAPID private key with exactly one of vapid_private_key_file or _env")
        return self

    def urgency_for(self, kind: NoticeKind) -> Urgency:
        """The Urgency header for a notice kind."""
        return self.urgency.get(kind, Urgency.NORMAL)


class WeComSettings(_Settings):
    """A WeCom (企业微信) self-built application that sends application messages (textcard)."""

    corp_id: str = Field(min_length=1, description="企业ID (corpid) of the organisation.")
    agent_id: int = Field(ge=0, description="AgentId of the application the messages come from.")
    secret_env: EnvVarName = Field(description="Environment variable holding the application's Secret.")
    base_url: BaseUrl = Field(
        default="https://qyapi.weixin.qq.com", description="Base URL of the WeCom server API."
    )
    button_text: str = Field(
        default="详情", min_length=1, max_length=4, description="Text of the card's button (at most 4 chars)."
    )
    duplicate_check_interval_s: int = Field(
        default=1800,
        ge=1,
        le=4 * 3600,
        description="WeCom drops an identical message sent again within this many seconds (at most 4 h).",
    )
    transient_errcodes: tuple[int, ...] = Field(
        default=(-1, 45009, 45033),
        description="errcodes worth retrying (-1 system busy, 45009 rate limit, 45033 too many concurrent).",
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of one API request, seconds.")


class DingTalkSettings(_Settings):
    """A DingTalk (钉钉) internal application that sends work notifications (工作通知, action_card)."""

    app_key: str = Field(min_length=1, description="AppKey of the internal application.")
    app_secret_env: EnvVarName = Field(
        description="Environment variable holding the application's AppSecret."
    )
    agent_id: int = Field(ge=0, description="AgentId of the application the notifications come from.")
    base_url: BaseUrl = Field(
        default="https://oapi.dingtalk.com", description="Base URL of the DingTalk open API (oapi)."
    )
    button_title: str = Field(
        default="查看详情", min_length=1, max_length=20, description="Title of the card's single button."
    )
    transient_errcodes: tuple[int, ...] = Field(
        default=(-1,), description="errcodes worth retrying (-1: system busy)."
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of one API request, seconds.")


class SmsGatewaySettings(_Settings):
    """An HTTP SMS gateway that takes ``POST {url}`` with JSON ``{"phone", "text", "case_id", "kind"}``.

    Any 2xx answer counts as accepted; 429 and 5xx are retried; other statuses are permanent failures.
    A small adapter in front of the operator's SMS provider (Aliyun, Tencent Cloud...) speaks this format.
    """

    url: BaseUrl = Field(description="URL the messages are POSTed to.")
    token_env: EnvVarName | None = Field(
        default=None, description="Environment variable with a bearer token for the gateway, if it needs one."
    )
    max_chars: int = Field(
        default=300, ge=20, le=1000, description="Longest text sent, in characters (longer text is cut)."
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of one request, seconds.")


class PushSettings(_Settings):
    """Every push channel of a dispatch process, and how hard each one is tried."""

    webpush: WebPushSettings | None = Field(default=None, description="Web Push; unset: webpush is skipped.")
    wecom: WeComSettings | None = Field(default=None, description="WeCom; unset: wecom is skipped.")
    dingtalk: DingTalkSettings | None = Field(
        default=None, description="DingTalk; unset: dingtalk is skipped."
    )
    sms: SmsGatewaySettings | None = Field(default=None, description="SMS gateway; unset: sms is skipped.")
    retry: RetrySettings = Field(default_factory=RetrySettings, description="Tries and backoff per channel.")

    @classmethod
    def from_mapping(cls, document: Any, source: str = "push settings") -> PushSettings:
        """Validate a parsed document; a :class:`ValueError` names the source and every bad field."""
        if document is None:
            return cls()
        if not isinstance(document, dict):
            raise ValueError(f"{source} must be a mapping of field names, not {type(document).__name__}")
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}"
                for item in error.errors()
            )
            raise ValueError(f"{source}: {problems}") from None

    @classmethod
    def load(cls, path: Path) -> PushSettings:
        """Settings from a YAML (or JSON) file."""
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ValueError(f"cannot read push settings {path}: {error.strerror}") from None
        except yaml.YAMLError as error:
            raise ValueError(f"push settings {path} is not valid YAML: {error}") from None
        return cls.from_mapping(document, f"push settings {path}")
