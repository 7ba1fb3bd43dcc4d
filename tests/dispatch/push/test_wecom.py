"""WeCom application messages against a local server that checks the documented textcard format."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from dispatch.push import NoticeKind, WeComSender, WeComSettings
from dispatch.push.channel import SendStatus
from gridwatch.config import WeComChannel
from tests.dispatch.push.conftest import SHANGHAI, ManualClock
from tests.dispatch.push.local_http import Handler, LocalHttpServer
from tests.dispatch.push.samples import notice, person
from tests.dispatch.push.work_apps import WorkApp

CHANNEL = WeComChannel(kind="wecom", user_id="qx002")
PERSON = person({"kind": "wecom", "user_id": "qx002"})


class Setup:
    def __init__(self, serve: Callable[[Handler], LocalHttpServer], clock: ManualClock, client: httpx.Client):
        self.app = WorkApp("wecom", key="ww-corp-1", secret="s3cret-wecom", agent_id=1000002)
        self.server = serve(self.app)
        self.clock = clock
        settings = WeComSettings(
            corp_id="ww-corp-1", agent_id=1000002, secret_env="GW_WECOM_SECRET", base_url=self.server.url
        )
        self.sender = WeComSender(settings, secret="s3cret-wecom", client=client, clock=clock, tz=SHANGHAI)


@pytest.fixture
def setup(
    serve: Callable[[Handler], LocalHttpServer], clock: ManualClock, http_client: httpx.Client
) -> Setup:
    return Setup(serve, clock, http_client)


def test_textcard_reaches_the_user(setup: Setup) -> None:
    result = setup.sender.send(PERSON, CHANNEL, notice())

    assert result.status is SendStatus.DELIVERED, result.detail
    assert "msg-1" in result.detail
    [message] = setup.app.sent
    assert message["touser"] == "qx002"
    card = message["textcard"]
    assert card["title"] == "新任务：非机动车乱停放"
    assert card["url"] == "https://gw.example.org/m/cases/C-20250512-0007"
    assert card["btntxt"] == "详情"
    assert '<div class="normal">地点：学府路与育才路交叉口东北角 / 盲道</div>' in card["description"]
    assert '<div class="normal">已持续 13 分钟</div>' in card["description"]
    assert card["description"].endswith('<div class="highlight">处置时限：5月12日 14:30 前</div>')
    assert card["description"].startswith('<div class="gray">')
    assert message["duplicate_check_interval"] == 1800


def test_token_is_cached_until_it_expires(setup: Setup) -> None:
    setup.sender.send(PERSON, CHANNEL, notice())
    setup.sender.send(PERSON, CHANNEL, notice(NoticeKind.REMINDER))
    assert setup.app.tokens_issued == 1

    setup.clock.advance(7200)
    setup.sender.send(PERSON, CHANNEL, notice())

    assert setup.app.tokens_issued == 2
    assert len(setup.app.sent) == 3


def test_expired_token_is_refreshed_and_the_send_repeated(setup: Setup) -> None:
    setup.sender.send(PERSON, CHANNEL, notice())
    setup.app.expire_tokens()  # the server drops the token before its announced expiry (42001)

    result = setup.sender.send(PERSON, CHANNEL, notice())

    assert result.ok, result.detail
    assert setup.app.tokens_issued == 2
    assert len(setup.app.sent) == 2


def test_invalid_user_is_a_permanent_failure(setup: Setup) -> None:
    setup.app.send_script.append({"errcode": 0, "errmsg": "ok", "invaliduser": "qx002"})

    result = setup.sender.send(PERSON, CHANNEL, notice())

    assert result.status is SendStatus.PERMANENT
    assert "qx002" in result.detail and "invaliduser" in result.detail


@pytest.mark.parametrize(
    ("errcode", "status"),
    [
        (-1, SendStatus.TRANSIENT),
        (45009, SendStatus.TRANSIENT),
        (60111, SendStatus.PERMANENT),
        (81013, SendStatus.PERMANENT),
    ],
)
def test_errcodes_are_classified(setup: Setup, errcode: int, status: SendStatus) -> None:
    setup.app.send_script.append({"errcode": errcode, "errmsg": "some reason"})

    result = setup.sender.send(PERSON, CHANNEL, notice())

    assert result.status is status
    assert f"errcode {errcode}" in result.detail


def test_wrong_secret_fails_without_leaking_it(
    setup: Setup, serve: Callable[[Handler], LocalHttpServer], clock: ManualClock, http_client: httpx.Client
) -> None:
    settings = WeComSettings(corp_id="ww-corp-1", agent_id=1000002, secret_env="X", base_url=setup.server.url)
    sender = WeComSender(settings, secret="wrong-secret", client=http_client, clock=clock, tz=SHANGHAI)

    result = sender.send(PERSON, CHANNEL, notice())

    assert result.status is SendStatus.PERMANENT
    assert "gettoken errcode 40001" in result.detail
    assert "wrong-secret" not in result.detail


def test_long_text_is_cut_by_utf8_bytes_without_breaking_markup(setup: Setup) -> None:
    long_notice = notice(place="幸福街<东>与花园街&交叉口" * 40)

    result = setup.sender.send(PERSON, CHANNEL, long_notice)

    assert result.ok, result.detail  # the server checked: description ≤ 512 bytes, divs balanced
    card = setup.app.sent[0]["textcard"]
    assert "&lt;东&gt;" in card["description"]
    assert "…" in card["description"]
    assert card["description"].endswith('<div class="highlight">处置时限：5月12日 14:30 前</div>')
