"""Channel order, retries with backoff (scheduled, never slept) and fallback: unit tests with scripted
senders, then real servers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from dispatch.push import ChannelNotifier, PushSettings, RetrySettings, SendResult
from dispatch.push.notice import DeliveryOutcome, DeliveryProgress, TaskNotice
from dispatch.push.webpush_crypto import VapidKey
from dispatch.push.wiring import build_notifier
from gridwatch.config import Person, PushChannel
from tests.dispatch.push.conftest import SHANGHAI, ManualClock, ScheduledRetries
from tests.dispatch.push.local_http import Handler, LocalHttpServer, Reply
from tests.dispatch.push.push_service import PushService
from tests.dispatch.push.samples import notice, person
from tests.dispatch.push.work_apps import WorkApp


@dataclass
class ScriptedSender:
    """A channel sender that answers from a script (the last answer repeats)."""

    kind: str
    script: list[SendResult]
    calls: list[str] = field(default_factory=list)

    def send(self, person: Person, channel: PushChannel, notice: TaskNotice) -> SendResult:
        self.calls.append(notice.case_id)
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def _notifier(*senders: ScriptedSender, clock: ManualClock) -> ChannelNotifier:
    return ChannelNotifier(senders, retry=RetrySettings(attempts_per_channel=3), clock=clock)


WEBPUSH_THEN_WECOM = person({"kind": "webpush"}, {"kind": "wecom", "user_id": "qx002"})


def test_first_channel_that_takes_it_wins(clock: ManualClock, retries: ScheduledRetries) -> None:
    webpush = ScriptedSender("webpush", [SendResult.delivered("ok")])
    wecom = ScriptedSender("wecom", [SendResult.delivered("ok")])

    outcome = retries.deliver(_notifier(webpush, wecom, clock=clock), WEBPUSH_THEN_WECOM, notice())

    assert outcome == DeliveryOutcome("p-002", True, "webpush", outcome.attempts)
    assert len(outcome.attempts) == 1 and outcome.attempts[0].at == clock.now
    assert wecom.calls == [] and retries.waits == []


def test_transient_failures_are_retried_with_exponential_backoff_then_fall_back(
    clock: ManualClock, retries: ScheduledRetries
) -> None:
    webpush = ScriptedSender("webpush", [SendResult.transient("HTTP 503")])
    wecom = ScriptedSender("wecom", [SendResult.delivered("accepted")])

    outcome = retries.deliver(_notifier(webpush, wecom, clock=clock), WEBPUSH_THEN_WECOM, notice())

    assert outcome.delivered and outcome.channel == "wecom"
    assert [(a.channel, a.ok) for a in outcome.attempts] == [
        ("webpush", False),
        ("webpush", False),
        ("webpush", False),
        ("wecom", True),
    ]
    assert retries.waits == [1.0, 2.0]  # no wait after the last try, none before falling back


def test_a_transient_failure_ends_the_step_with_the_wait_and_where_to_resume(clock: ManualClock) -> None:
    webpush = ScriptedSender("webpush", [SendResult.transient("HTTP 503"), SendResult.delivered("ok")])
    notifier = _notifier(webpush, clock=clock)

    step = notifier.attempt(WEBPUSH_THEN_WECOM, notice(), DeliveryProgress())

    assert step.outcome is None and step.retry_in_s == 1.0
    assert (step.progress.channel_index, step.progress.channel_tries) == (0, 1)
    assert len(webpush.calls) == 1  # the retry is left to the scheduler, not made (or slept for) here
    resumed = notifier.attempt(WEBPUSH_THEN_WECOM, notice(), step.progress)
    assert resumed.outcome is not None and resumed.outcome.channel == "webpush"
    assert [a.ok for a in resumed.outcome.attempts] == [False, True]


def test_permanent_failure_is_not_retried(clock: ManualClock, retries: ScheduledRetries) -> None:
    webpush = ScriptedSender("webpush", [SendResult.permanent("no subscription")])
    wecom = ScriptedSender("wecom", [SendResult.transient("busy"), SendResult.delivered("ok")])

    outcome = retries.deliver(_notifier(webpush, wecom, clock=clock), WEBPUSH_THEN_WECOM, notice())

    assert [a.channel for a in outcome.attempts] == ["webpush", "wecom", "wecom"]
    assert outcome.channel == "wecom"
    assert retries.waits == [1.0]


def test_retry_after_is_honoured_but_capped(clock: ManualClock, retries: ScheduledRetries) -> None:
    webpush = ScriptedSender("webpush", [SendResult.transient("429", 600.0), SendResult.delivered("ok")])

    retries.deliver(_notifier(webpush, clock=clock), person({"kind": "webpush"}), notice())

    assert retries.waits == [30.0]


def test_nothing_delivered_keeps_every_attempt(clock: ManualClock, retries: ScheduledRetries) -> None:
    webpush = ScriptedSender("webpush", [SendResult.permanent("gone")])
    wecom = ScriptedSender("wecom", [SendResult.permanent("wecom errcode 60111: userid not found")])

    outcome = retries.deliver(_notifier(webpush, wecom, clock=clock), WEBPUSH_THEN_WECOM, notice())

    assert not outcome.delivered and outcome.channel is None
    assert outcome.detail == "wecom errcode 60111: userid not found"
    assert DeliveryOutcome.from_record(outcome.as_record()) == outcome


def test_person_without_channels_gets_a_clear_outcome(clock: ManualClock, retries: ScheduledRetries) -> None:
    outcome = retries.deliver(_notifier(clock=clock), person(), notice())

    assert not outcome.delivered
    assert outcome.detail == "p-002 has no channel configured"


def test_unconfigured_channel_kind_is_skipped(clock: ManualClock, retries: ScheduledRetries) -> None:
    wecom = ScriptedSender("wecom", [SendResult.delivered("ok")])
    someone = person({"kind": "sms", "phone": "13179671866"}, {"kind": "wecom", "user_id": "qx002"})

    outcome = retries.deliver(_notifier(wecom, clock=clock), someone, notice())

    assert outcome.channel == "wecom"
    assert outcome.attempts[0].detail == "sms is not configured here"


def test_a_crashing_sender_does_not_stop_the_next_channel(
    clock: ManualClock, retries: ScheduledRetries
) -> None:
    class Broken:
        kind = "webpush"

        def send(self, person: Person, channel: PushChannel, notice: TaskNotice) -> SendResult:
            raise KeyError("endpoint")

    wecom = ScriptedSender("wecom", [SendResult.delivered("ok")])
    notifier = ChannelNotifier([Broken(), wecom], retry=RetrySettings(), clock=clock)

    outcome = retries.deliver(notifier, WEBPUSH_THEN_WECOM, notice())

    assert outcome.channel == "wecom"
    assert outcome.attempts[0].detail == "webpush sender error: KeyError: 'endpoint'"


def test_notice_for_someone_else_is_refused(clock: ManualClock, retries: ScheduledRetries) -> None:
    with pytest.raises(ValueError, match="notice for 'p-999' handed over with person 'p-002'"):
        retries.deliver(_notifier(clock=clock), person(), notice(recipient_id="p-999"))


def test_two_senders_of_one_kind_are_refused(clock: ManualClock, retries: ScheduledRetries) -> None:
    with pytest.raises(ValueError, match="two senders for channel kind 'wecom'"):
        _notifier(ScriptedSender("wecom", []), ScriptedSender("wecom", []), clock=clock)


def test_gone_phone_falls_back_to_wecom_over_real_servers(
    serve: Callable[[Handler], LocalHttpServer],
    clock: ManualClock,
    retries: ScheduledRetries,
    http_client: httpx.Client,
) -> None:
    push = PushService(clock)
    push_server = serve(push)
    push.origin = push_server.url
    subscription = push.subscribe("/push/phone-1")
    push.script["/push/phone-1"] = [Reply(410, b"")]
    wecom = WorkApp("wecom", key="ww-corp-1", secret="s3cret", agent_id=1000002)
    wecom_server = serve(wecom)
    wecom.send_script.append({"errcode": -1, "errmsg": "system busy"})
    stored = [subscription]
    settings = PushSettings.model_validate(
        {
            "webpush": {"vapid_private_key_env": "GW_VAPID", "subject": "mailto:ops@gw.example.org"},
            "wecom": {
                "corp_id": "ww-corp-1",
                "agent_id": 1000002,
                "secret_env": "GW_WECOM",
                "base_url": wecom_server.url,
            },
            "retry": {"attempts_per_channel": 2, "initial_backoff_s": 0.5},
        }
    )
    notifier = build_notifier(
        settings,
        client=http_client,
        tz=SHANGHAI,
        subscriptions_for=lambda person_id: list(stored),
        on_gone=stored.remove,
        env={"GW_VAPID": VapidKey.generate().private_pem().decode(), "GW_WECOM": "s3cret"},
        clock=clock,
    )

    outcome = retries.deliver(notifier, WEBPUSH_THEN_WECOM, notice())

    assert outcome.delivered and outcome.channel == "wecom"
    assert [(a.channel, a.ok) for a in outcome.attempts] == [
        ("webpush", False),
        ("wecom", False),
        ("wecom", True),
    ]
    assert "gone (HTTP 410)" in outcome.attempts[0].detail
    assert outcome.attempts[1].detail == "wecom errcode -1: system busy"
    assert stored == []  # on_gone removed the dead subscription
    assert retries.waits == [0.5]
    assert wecom.sent[0]["touser"] == "qx002"
