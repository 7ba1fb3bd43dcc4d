"""WeCom (企业微信) application messages: a textcard that opens the case page on the phone.

API: ``GET /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET``, then ``POST /cgi-bin/message/send?access_token=``
with the card (documented at https://developer.work.weixin.qq.com/document/path/90236 and 90372). A send
succeeds with errcode 0 and no ``invaliduser`` (or ``unlicenseduser``): WeCom answers errcode 0 even when the
user is not in the application's visible range and nothing was delivered.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, Final, Literal

import httpx
from pydantic import Field

from dispatch.push.channel import ChannelContext, ChannelPlugin, SendResult
from dispatch.push.notice import TaskNotice
from dispatch.push.rich_text import pack_lines
from dispatch.push.settings import BaseUrl, ChannelSettings
from dispatch.push.token_api import TokenApiClient
from dispatch.push.utf8 import truncate_utf8, utf8_len
from dispatch.push.wording import deadline_line, local_time_text
from gridwatch.config import Person, PushChannel, WeComChannel
from gridwatch.config.models_common import EnvVarName

KIND: Final = "wecom"


class WeComSettings(ChannelSettings):
    """A WeCom (企业微信) self-built application that sends application messages (textcard)."""

    kind: Literal["wecom"] = Field(default=KIND, description="Channel kind: wecom.")

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


TITLE_MAX_BYTES = 128
DESCRIPTION_MAX_BYTES = 512
URL_MAX_BYTES = 2048


def _normal(text: str) -> str:
    return f'<div class="normal">{text}</div>'


def textcard_description(notice: TaskNotice, tz: tzinfo, sent_at: datetime) -> str:
    """Gray send time, the body lines, the deadline highlighted: at most 512 UTF-8 bytes, tags kept whole."""
    head = f'<div class="gray">{html.escape(local_time_text(sent_at, tz), quote=False)}</div>'
    deadline = deadline_line(notice, tz)
    tail = "" if deadline is None else f'<div class="highlight">{html.escape(deadline, quote=False)}</div>'
    lines = [line for line in notice.body.splitlines() if line.strip()]
    return pack_lines(head, lines, tail, DESCRIPTION_MAX_BYTES, _normal)


def textcard_message(
    notice: TaskNotice, user_id: str, settings: WeComSettings, tz: tzinfo, sent_at: datetime
) -> dict[str, Any]:
    """The ``message/send`` request body for one user."""
    return {
        "touser": user_id,
        "msgtype": "textcard",
        "agentid": settings.agent_id,
        "textcard": {
            "title": truncate_utf8(notice.title, TITLE_MAX_BYTES),
            "description": textcard_description(notice, tz, sent_at),
            "url": notice.url,
            "btntxt": settings.button_text,
        },
        "enable_duplicate_check": 1,
        "duplicate_check_interval": settings.duplicate_check_interval_s,
    }


class WeComSender:
    """Sends textcards as one WeCom application; ``secret`` is the application Secret (resolved from env)."""

    kind = KIND

    def __init__(
        self,
        settings: WeComSettings,
        *,
        secret: str,
        client: httpx.Client,
        clock: Callable[[], datetime],
        tz: tzinfo,
    ) -> None:
        if not secret:
            raise ValueError(f"the WeCom secret (from ${settings.secret_env}) is empty")
        self._settings = settings
        self._clock = clock
        self._tz = tz
        self._api = TokenApiClient(
            service="wecom",
            client=client,
            base_url=settings.base_url,
            token_path="/cgi-bin/gettoken",
            token_params={"corpid": settings.corp_id, "corpsecret": secret},
            secret=secret,
            timeout_s=settings.timeout_s,
            transient_errcodes=frozenset(settings.transient_errcodes),
            clock=clock,
        )

    def send(self, person: Person, channel: PushChannel, notice: TaskNotice) -> SendResult:
        """Send the notice to the person's WeCom user id."""
        if not isinstance(channel, WeComChannel):
            return SendResult.permanent(f"wecom sender cannot use a {channel.kind} channel")
        if utf8_len(notice.url) > URL_MAX_BYTES:
            return SendResult.permanent(f"wecom card url is over {URL_MAX_BYTES} bytes")
        message = textcard_message(notice, channel.user_id, self._settings, self._tz, self._clock())
        reply = self._api.post("/cgi-bin/message/send", message)
        if isinstance(reply, SendResult):
            return reply
        for field, what in (
            ("invaliduser", "is not a valid user of the app"),
            ("unlicenseduser", "has no licence"),
        ):
            rejected = str(reply.get(field) or "").strip()
            if rejected:
                return SendResult.permanent(f"wecom user {rejected} {what} ({field}); nothing was delivered")
        return SendResult.delivered(
            f"wecom accepted textcard for {channel.user_id} (msgid {reply.get('msgid', '?')})"
        )


def build_sender(settings: WeComSettings, context: ChannelContext) -> WeComSender:
    """The WeCom sender, with the application Secret from the environment."""
    secret = context.secret(settings.secret_env, "wecom application secret")
    return WeComSender(settings, secret=secret, client=context.client, clock=context.clock, tz=context.tz)


PLUGIN = ChannelPlugin(KIND, WeComSettings, build_sender)
"""The WeCom channel, as :mod:`dispatch.push.registry` lists it."""
