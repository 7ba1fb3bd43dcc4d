"""DingTalk work notifications against a local server that checks the documented action_card format."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from dispatch.push import DingTalkSender, DingTalkSettings
from dispatch.push.channel import SendStatus
from gridwatch.config import DingTalkChannel
from tests.dispatch.push.conftest import SHANGHAI, ManualClock
from tests.dispatch.push.local_http import Handler, LocalHttpServer
from tests.dispatch.push.samples import notice, person
from tests.dispatch.push.work_apps import WorkApp

CHANNEL = DingTalkChannel(kind="dingtalk", user_id="dt037")
PERSON = person({"kind": "dingtalk", "user_id": "dt037"}, person_id="p-037")


class Setup:
    def __init__(self, serve: Callable[[Handler], LocalHttpServer], clock: ManualClock, client: httpx.Client):
        self.app = WorkApp("dingtalk", key="dingappkey1", secret="s3cret-ding", agent_id=2873001)
        self.server = serve(self.app)
        self.clock = clock
        settings = DingTalkSettings(
            app_key="dingappkey1",
            app_secret_env="GW_DINGTALK_SECRET",
            agent_id=2873001,
            base_url=self.server.url,
        )
        self.sender = DingTalkSender(
            settings, app_secret="s3cret-ding", client=client, clock=clock, tz=SHANGHAI
        )


@pytest.fixture
def setup(
    serve: Callable[[Handler], LocalHttpServer], clock: ManualClock, http_client: httpx.Client
) -> Setup:
    return Setup(serve, clock, http_client)


def test_action_card_reaches_the_user(setup: Setup) -> None:
    result = setup.sender.send(PERSON, CHANNEL, notice(recipient_id="p-037"))

    assert result.status is SendStatus.DELIVERED, result.detail
    assert "task_id 256271667526" in result.detail
    [message] = setup.app.sent
    assert message["agent_id"] == 2873001
    assert message["userid_list"] == "dt037"
    card = message["msg"]["action_card"]
    assert card["title"] == "新任务：非机动车乱停放"
    assert card["single_title"] == "查看详情"
    assert card["single_url"] == "https://gw.example.org/m/cases/C-20250512-0007"
    assert card["markdown"].startswith(
        "### 新任务：非机动车乱停放\n\n地点：学府路与育才路交叉口东北角 / 盲道  \n"
    )
    assert "**处置时限：5月12日 14:30 前**" in card["markdown"]
    assert card["markdown"].endswith("![现场照片](https://gw.example.org/evidence/C-0007.jpg)")
    assert setup.server.requests_to("/gettoken")[0].query == {
        "appkey": "dingappkey1",
        "appsecret": "s3cret-ding",
    }


def test_token_is_cached_and_refreshed_when_expired(setup: Setup) -> None:
    setup.sender.send(PERSON, CHANNEL, notice(recipient_id="p-037"))
    setup.sender.send(PERSON, CHANNEL, notice(recipient_id="p-037"))
    assert setup.app.tokens_issued == 1
    setup.app.expire_tokens()

    result = setup.sender.send(PERSON, CHANNEL, notice(recipient_id="p-037"))

    assert result.ok, result.detail
    assert setup.app.tokens_issued == 2
    assert len(setup.app.sent) == 3


def test_markdown_in_place_names_is_escaped(setup: Setup) -> None:
    setup.sender.send(PERSON, CHANNEL, notice(recipient_id="p-037", place="**幸福街** [东口]"))

    markdown = setup.app.sent[0]["msg"]["action_card"]["markdown"]
    assert "地点：\\*\\*幸福街\\*\\* \\[东口\\]" in markdown


@pytest.mark.parametrize(("errcode", "status"), [(-1, SendStatus.TRANSIENT), (33012, SendStatus.PERMANENT)])
def test_errcodes_are_classified(setup: Setup, errcode: int, status: SendStatus) -> None:
    setup.app.send_script.append({"errcode": errcode, "errmsg": "reason"})

    result = setup.sender.send(PERSON, CHANNEL, notice(recipient_id="p-037"))

    assert result.status is status
    assert f"dingtalk errcode {errcode}: reason" == result.detail


def test_busy_token_endpoint_is_transient(setup: Setup) -> None:
    setup.app.token_script.append({"errcode": -1, "errmsg": "系统繁忙"})

    result = setup.sender.send(PERSON, CHANNEL, notice(recipient_id="p-037"))

    assert result.status is SendStatus.TRANSIENT
    assert "gettoken errcode -1" in result.detail
