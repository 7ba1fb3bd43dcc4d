"""Local stand-ins for the WeCom and DingTalk APIs; they check requests against the documented formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.dispatch.push.local_http import Reply, Request

CARD_DIV_CLASSES = ('<div class="gray">', '<div class="normal">', '<div class="highlight">')


def check_wecom_textcard(message: dict[str, Any], agent_id: int) -> None:
    """The textcard application message of https://developer.work.weixin.qq.com/document/path/90236."""
    assert set(message) == {
        "touser",
        "msgtype",
        "agentid",
        "textcard",
        "enable_duplicate_check",
        "duplicate_check_interval",
    }, sorted(message)
    assert isinstance(message["touser"], str) and message["touser"]
    assert message["msgtype"] == "textcard"
    assert message["agentid"] == agent_id and isinstance(message["agentid"], int)
    card = message["textcard"]
    assert set(card) == {"title", "description", "url", "btntxt"}, sorted(card)
    assert 0 < len(card["title"].encode("utf-8")) <= 128
    description = card["description"]
    assert 0 < len(description.encode("utf-8")) <= 512
    assert description.count("<div") == description.count("</div>"), description
    assert all(part.startswith(CARD_DIV_CLASSES) for part in description.split("</div>") if part), description
    assert card["url"].startswith(("http://", "https://")) and len(card["url"].encode()) <= 2048
    assert 0 < len(card["btntxt"]) <= 4
    assert message["enable_duplicate_check"] == 1
    assert 0 < message["duplicate_check_interval"] <= 4 * 3600


def check_dingtalk_work_notification(message: dict[str, Any], agent_id: int) -> None:
    """The asyncsend_v2 body with an action_card of the DingTalk work-notification documentation."""
    assert set(message) == {"agent_id", "userid_list", "msg"}, sorted(message)
    assert message["agent_id"] == agent_id and isinstance(message["agent_id"], int)
    assert isinstance(message["userid_list"], str) and message["userid_list"]
    msg = message["msg"]
    assert msg["msgtype"] == "action_card" and set(msg) == {"msgtype", "action_card"}
    card = msg["action_card"]
    assert set(card) == {"title", "markdown", "single_title", "single_url"}, sorted(card)
    assert card["title"] and card["markdown"] and card["single_title"]
    assert card["single_url"].startswith(("http://", "https://"))


@dataclass
class WorkApp:
    """One service: issues tokens, checks sends, answers per a script; ``sent`` keeps accepted messages."""

    service: str  # "wecom" or "dingtalk"
    key: str
    secret: str
    agent_id: int
    expires_in: int = 7200
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    send_script: list[dict[str, Any]] = field(default_factory=list)
    token_script: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def token_path(self) -> str:
        return "/cgi-bin/gettoken" if self.service == "wecom" else "/gettoken"

    @property
    def send_path(self) -> str:
        if self.service == "wecom":
            return "/cgi-bin/message/send"
        return "/topapi/message/corpconversation/asyncsend_v2"

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def __call__(self, request: Request) -> Reply:
        if request.path == self.token_path:
            return self._token(request)
        if request.path == self.send_path:
            return self._send(request)
        return Reply(404, b"not found")

    def _token(self, request: Request) -> Reply:
        assert request.method == "GET"
        if self.token_script:
            return Reply.json(self.token_script.pop(0))
        names = ("corpid", "corpsecret") if self.service == "wecom" else ("appkey", "appsecret")
        if request.query.get(names[0]) != self.key or request.query.get(names[1]) != self.secret:
            return Reply.json({"errcode": 40001, "errmsg": "invalid credential"})
        self.tokens_issued += 1
        token = f"{self.service}-token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return Reply.json(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in}
        )

    def _send(self, request: Request) -> Reply:
        assert request.method == "POST"
        assert request.headers["content-type"].startswith("application/json")
        if request.query.get("access_token") not in self.valid_tokens:
            return Reply.json({"errcode": 42001, "errmsg": "access_token expired"})
        message = request.json()
        if self.service == "wecom":
            check_wecom_textcard(message, self.agent_id)
        else:
            check_dingtalk_work_notification(message, self.agent_id)
        if self.send_script:
            return Reply.json(self.send_script.pop(0))
        self.sent.append(message)
        if self.service == "wecom":
            return Reply.json(
                {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{len(self.sent)}"}
            )
        return Reply.json(
            {"errcode": 0, "errmsg": "ok", "task_id": 256271667526, "request_id": "4jzllmte0wau"}
        )
