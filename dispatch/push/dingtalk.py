"""DingTalk (钉钉) work notifications (工作通知): an action card with one button that opens the case page.

API: ``GET /gettoken?appkey=KEY&appsecret=SECRET``, then
``POST /topapi/message/corpconversation/asyncsend_v2?access_token=`` with ``agent_id``, ``userid_list`` and
``msg`` (https://open.dingtalk.com/document/orgapp/asynchronous-sending-of-enterprise-session-messages).
The send is asynchronous: errcode 0 returns a ``task_id`` (kept in the attempt's detail); whether the user id
existed is only known later from ``getsendresult``, which this sender does not poll.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, Final, Literal

import httpx
from pydantic import Field

from dispatch.push.channel import ChannelContext, ChannelPlugin, SendResult
from dispatch.push.notice import TaskNotice
from dispatch.push.settings import BaseUrl, ChannelSettings
from dispatch.push.token_api import TokenApiClient
from dispatch.push.utf8 import truncate_utf8, utf8_len
from dispatch.push.wording import deadline_line
from gridwatch.config import DingTalkChannel, Person, PushChannel
from gridwatch.config.models_common import EnvVarName

KIND: Final = "dingtalk"


class DingTalkSettings(ChannelSettings):
    """A DingTalk (钉钉) internal application that sends work notifications (工作通知, action_card)."""

    kind: Literal["dingtalk"] = Field(default=KIND, description="Channel kind: dingtalk.")

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


TITLE_MAX_BYTES = 128
MARKDOWN_MAX_BYTES = 2000  # our own cap, well inside what DingTalk accepts for a work notification

_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def _plain(text: str) -> str:
    """Text with markdown control characters escaped, so a place name cannot turn into markup."""
    return text.translate(_MARKDOWN_SPECIAL)


def action_card_markdown(notice: TaskNotice, tz: tzinfo) -> str:
    """``### title``, the body lines, the deadline in bold and the evidence photo, within the byte cap."""
    head = f"### {_plain(notice.title)}\n\n"
    deadline = deadline_line(notice, tz)
    tail = "" if deadline is None else f"\n\n**{_plain(deadline)}**"
    if notice.evidence_url is not None:
        tail += f"\n\n![现场照片]({notice.evidence_url})"
    body = "  \n".join(_plain(line) for line in notice.body.splitlines() if line.strip())
    room = MARKDOWN_MAX_BYTES - utf8_len(head) - utf8_len(tail)
    if room < 0:  # an absurd title or URL: give up the photo and keep the text
        return truncate_utf8(head + body, MARKDOWN_MAX_BYTES)
    return head + truncate_utf8(body, room) + tail


def work_notification(
    notice: TaskNotice, user_id: str, settings: DingTalkSettings, tz: tzinfo
) -> dict[str, Any]:
    """The ``asyncsend_v2`` request body for one user."""
    return {
        "agent_id": settings.agent_id,
        "userid_list": user_id,
        "msg": {
            "msgtype": "action_card",
            "action_card": {
                "title": truncate_utf8(notice.title, TITLE_MAX_BYTES),
                "markdown": action_card_markdown(notice, tz),
                "single_title": settings.button_title,
                "single_url": notice.url,
            },
        },
    }


class DingTalkSender:
    """Sends work notifications as one DingTalk application; ``app_secret`` resolved from env."""

    kind = KIND

    def __init__(
        self,
        settings: DingTalkSettings,
        *,
        app_secret: str,
        client: httpx.Client,
        clock: Callable[[], datetime],
        tz: tzinfo,
    ) -> None:
        if not app_secret:
            raise ValueError(f"the DingTalk app secret (from ${settings.app_secret_env}) is empty")
        self._settings = settings
        self._tz = tz
        self._api = TokenApiClient(
            service="dingtalk",
            client=client,
            base_url=settings.base_url,
            token_path="/gettoken",
            token_params={"appkey": settings.app_key, "appsecret": app_secret},
            secret=app_secret,
            timeout_s=settings.timeout_s,
            transient_errcodes=frozenset(settings.transient_errcodes),
            clock=clock,
        )

    def send(self, person: Person, channel: PushChannel, notice: TaskNotice) -> SendResult:
        """Send the notice to the person's DingTalk user id."""
        if not isinstance(channel, DingTalkChannel):
            return SendResult.permanent(f"dingtalk sender cannot use a {channel.kind} channel")
        if "," in channel.user_id:
            return SendResult.permanent(
                f"dingtalk user id {channel.user_id!r} contains a comma; one user only"
            )
        message = work_notification(notice, channel.user_id, self._settings, self._tz)
        reply = self._api.post("/topapi/message/corpconversation/asyncsend_v2", message)
        if isinstance(reply, SendResult):
            return reply
        task_id = reply.get("task_id")
        if task_id is None:
            return SendResult.transient("dingtalk answered errcode 0 without a task_id")
        return SendResult.delivered(
            f"dingtalk accepted work notification for {channel.user_id} (task_id {task_id})"
        )


def build_sender(settings: DingTalkSettings, context: ChannelContext) -> DingTalkSender:
    """The DingTalk sender, with the AppSecret from the environment."""
    app_secret = context.secret(settings.app_secret_env, "dingtalk app secret")
    return DingTalkSender(
        settings, app_secret=app_secret, client=context.client, clock=context.clock, tz=context.tz
    )


PLUGIN = ChannelPlugin(KIND, DingTalkSettings, build_sender)
"""The DingTalk channel, as :mod:`dispatch.push.registry` lists it."""
