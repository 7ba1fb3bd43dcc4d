"""Text messages through a generic HTTP SMS gateway.

Request: ``POST {url}`` with ``Content-Type: application/json; charset=utf-8``, an ``Authorization: Bearer``
header when a token is configured, and the body::

    {"phone": "13179671866", "text": "【新任务：非机动车乱停放】地点：… 详情：https://…",
     "case_id": "C-20250512-0007", "kind": "new_task"}

Any 2xx answer means the gateway accepted the message; 408/425/429 and 5xx are retried; any other status is
a permanent failure. A small adapter in front of the SMS provider the site uses speaks this format.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Final, Literal

import httpx
from pydantic import Field

from dispatch.push.channel import ChannelContext, ChannelPlugin, SendResult
from dispatch.push.http_json import request_json
from dispatch.push.notice import TaskNotice
from dispatch.push.settings import BaseUrl, ChannelSettings
from dispatch.push.wording import full_text_lines
from gridwatch.config import Person, PushChannel, SmsChannel
from gridwatch.config.models_common import EnvVarName

KIND: Final = "sms"


class SmsGatewaySettings(ChannelSettings):
    """An HTTP SMS gateway that takes ``POST {url}`` with JSON ``{"phone", "text", "case_id", "kind"}``.

    Any 2xx answer counts as accepted; 429 and 5xx are retried; other statuses are permanent failures.
    A small adapter in front of the operator's SMS provider (Aliyun, Tencent Cloud...) speaks this format.
    """

    kind: Literal["sms"] = Field(default=KIND, description="Channel kind: sms.")

    url: BaseUrl = Field(description="URL the messages are POSTed to.")
    token_env: EnvVarName | None = Field(
        default=None, description="Environment variable with a bearer token for the gateway, if it needs one."
    )
    max_chars: int = Field(
        default=300, ge=20, le=1000, description="Longest text sent, in characters (longer text is cut)."
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of one request, seconds.")


def sms_text(notice: TaskNotice, tz: tzinfo, max_chars: int) -> str:
    """``【title】`` + body and deadline on one line + ``详情：url``; the body is cut to fit ``max_chars``
    (the link is kept whole, since a cut link is useless)."""
    head = f"【{notice.title}】"
    link = f" 详情：{notice.url}"
    body = "；".join(full_text_lines(notice, tz))
    room = max_chars - len(head) - len(link)
    if room <= 1:
        return (head + link)[:max_chars]
    if len(body) > room:
        body = body[: room - 1] + "…"
    return head + body + link


def sms_request(notice: TaskNotice, phone: str, tz: tzinfo, max_chars: int) -> dict[str, Any]:
    """The JSON body for the gateway."""
    return {
        "phone": phone,
        "text": sms_text(notice, tz, max_chars),
        "case_id": notice.case_id,
        "kind": str(notice.kind),
    }


class SmsGatewaySender:
    """Posts texts to the gateway; ``token`` is the bearer token (resolved from env), None for none."""

    kind = KIND

    def __init__(
        self, settings: SmsGatewaySettings, *, token: str | None, client: httpx.Client, tz: tzinfo
    ) -> None:
        self._settings = settings
        self._token = token
        self._client = client
        self._tz = tz

    def send(self, person: Person, channel: PushChannel, notice: TaskNotice) -> SendResult:
        """Send the notice as one text to the channel's phone number."""
        if not isinstance(channel, SmsChannel):
            return SendResult.permanent(f"sms sender cannot use a {channel.kind} channel")
        phone = channel.phone.replace(" ", "").replace("-", "")
        headers = {} if self._token is None else {"Authorization": f"Bearer {self._token}"}
        reply = request_json(
            self._client,
            "POST",
            self._settings.url,
            service="sms gateway",
            timeout_s=self._settings.timeout_s,
            payload=sms_request(notice, phone, self._tz, self._settings.max_chars),
            headers=headers,
            secrets=(self._token or "",),
            require_json=False,
        )
        if isinstance(reply, SendResult):
            return reply
        reference = reply.get("id") or reply.get("message_id")
        suffix = f" (id {reference})" if reference else ""
        return SendResult.delivered(f"sms gateway accepted the text to {_masked(phone)}{suffix}")


def _masked(phone: str) -> str:
    """A phone number with its middle digits hidden, for details stored on the case."""
    if len(phone) < 7:
        return phone
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def build_sender(settings: SmsGatewaySettings, context: ChannelContext) -> SmsGatewaySender:
    """The SMS gateway sender, with its bearer token from the environment when one is configured."""
    token = None
    if settings.token_env is not None:
        token = context.secret(settings.token_env, "sms gateway token")
    return SmsGatewaySender(settings, token=token, client=context.client, tz=context.tz)


PLUGIN = ChannelPlugin(KIND, SmsGatewaySettings, build_sender)
"""The SMS gateway channel, as :mod:`dispatch.push.registry` lists it."""
