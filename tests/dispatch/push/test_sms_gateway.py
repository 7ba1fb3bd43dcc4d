"""Texts through the generic SMS gateway format, received by a local server."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from dispatch.push import SmsGatewaySender, SmsGatewaySettings
from dispatch.push.channel import SendStatus
from dispatch.push.sms_gateway import sms_text
from gridwatch.config import SmsChannel
from tests.dispatch.push.conftest import SHANGHAI
from tests.dispatch.push.local_http import Handler, LocalHttpServer, Reply, Request
from tests.dispatch.push.samples import notice, person

CHANNEL = SmsChannel(kind="sms", phone="131 7967-1866")
PERSON = person({"kind": "sms", "phone": "13179671866"})


def _sender(
    server: LocalHttpServer, client: httpx.Client, token: str | None = "gw-token"
) -> SmsGatewaySender:
    settings = SmsGatewaySettings(url=server.url + "/sms", token_env="GW_SMS_TOKEN")
    return SmsGatewaySender(settings, token=token, client=client, tz=SHANGHAI)


def test_text_is_posted_in_the_gateway_format(
    serve: Callable[[Handler], LocalHttpServer], http_client: httpx.Client
) -> None:
    server = serve(lambda request: Reply.json({"id": "sms-1"}))

    result = _sender(server, http_client).send(PERSON, CHANNEL, notice())

    assert result.ok, result.detail
    assert "131****1866" in result.detail and "sms-1" in result.detail
    [request] = server.requests
    assert request.headers["authorization"] == "Bearer gw-token"
    assert request.json() == {
        "phone": "13179671866",
        "text": "【新任务：非机动车乱停放】地点：学府路与育才路交叉口东北角 / 盲道；已持续 13 分钟；"
        "案卷号：C-20250512-0007；处置时限：5月12日 14:30 前 详情：https://gw.example.org/m/cases/C-20250512-0007",
        "case_id": "C-20250512-0007",
        "kind": "new_task",
    }


def test_empty_2xx_counts_as_accepted(
    serve: Callable[[Handler], LocalHttpServer], http_client: httpx.Client
) -> None:
    server = serve(lambda request: Reply(204))

    assert _sender(server, http_client, token=None).send(PERSON, CHANNEL, notice()).ok
    assert "authorization" not in server.requests[0].headers


@pytest.mark.parametrize(
    ("status", "expected"),
    [(503, SendStatus.TRANSIENT), (429, SendStatus.TRANSIENT), (400, SendStatus.PERMANENT)],
)
def test_failures_are_classified(
    serve: Callable[[Handler], LocalHttpServer], http_client: httpx.Client, status: int, expected: SendStatus
) -> None:
    def handler(request: Request) -> Reply:
        return Reply(status, b'{"error": "nope"}')

    result = _sender(serve(handler), http_client).send(PERSON, CHANNEL, notice())

    assert result.status is expected
    assert f"HTTP {status}" in result.detail


def test_long_text_keeps_the_link_whole() -> None:
    text = sms_text(notice(place="很长的地点" * 100), SHANGHAI, 120)

    assert len(text) == 120
    assert text.endswith(" 详情：https://gw.example.org/m/cases/C-20250512-0007")
    assert "…" in text
