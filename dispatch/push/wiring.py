"""Build the notifier of a dispatch process from its settings: secrets from the environment, one sender per
configured channel kind."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo

import httpx

from dispatch.push.channel import ChannelSender
from dispatch.push.dingtalk import DingTalkSender
from dispatch.push.notifier import ChannelNotifier
from dispatch.push.settings import PushSettings, WebPushSettings
from dispatch.push.sms_gateway import SmsGatewaySender
from dispatch.push.webpush import WebPushSender, WebPushSubscription
from dispatch.push.webpush_crypto import VapidKey, VapidKeyError
from dispatch.push.wecom import WeComSender


class PushConfigError(ValueError):
    """Push settings that cannot be used: a secret missing from the environment, an unreadable key."""


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def _secret(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "")
    if not value.strip():
        raise PushConfigError(f"{what}: environment variable {name} is not set (or empty)")
    return value.strip()


def load_vapid_key(settings: WebPushSettings, env: Mapping[str, str]) -> VapidKey:
    """The VAPID key from the file or environment variable the settings name."""
    try:
        if settings.vapid_private_key_file is not None:
            return VapidKey.from_pem_file(settings.vapid_private_key_file)
        name = settings.vapid_private_key_env
        assert name is not None  # the settings validator guarantees one source
        return VapidKey.from_text(_secret(env, name, "webpush VAPID private key"), f"${name}")
    except VapidKeyError as error:
        raise PushConfigError(f"webpush: {error}") from None


def build_notifier(
    settings: PushSettings,
    *,
    client: httpx.Client,
    tz: tzinfo,
    subscriptions_for: Callable[[str], Sequence[WebPushSubscription]] | None = None,
    on_gone: Callable[[WebPushSubscription], None] | None = None,
    on_ok: Callable[[WebPushSubscription], None] | None = None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> ChannelNotifier:
    """A :class:`ChannelNotifier` with a sender for every channel section in ``settings``.

    ``tz`` is the site's timezone (times in messages are local); ``client`` is owned by the caller (close it
    on shutdown). Web Push needs ``subscriptions_for`` and ``on_gone``; ``on_ok`` (optional) hears of every
    subscription whose push service accepted a message. Raises :class:`PushConfigError` when
    a secret is missing, so a misconfigured process stops at start rather than at the first case.
    """
    environment = os.environ if env is None else env
    senders: list[ChannelSender] = []
    if settings.webpush is not None:
        if subscriptions_for is None or on_gone is None:
            raise PushConfigError(
                "webpush is configured: pass subscriptions_for and on_gone to build_notifier"
            )
        senders.append(
            WebPushSender(
                settings.webpush,
                vapid_key=load_vapid_key(settings.webpush, environment),
                subscriptions_for=subscriptions_for,
                on_gone=on_gone,
                client=client,
                clock=clock,
                tz=tz,
                on_ok=on_ok,
            )
        )
    if settings.wecom is not None:
        secret = _secret(environment, settings.wecom.secret_env, "wecom application secret")
        senders.append(WeComSender(settings.wecom, secret=secret, client=client, clock=clock, tz=tz))
    if settings.dingtalk is not None:
        app_secret = _secret(environment, settings.dingtalk.app_secret_env, "dingtalk app secret")
        senders.append(
            DingTalkSender(settings.dingtalk, app_secret=app_secret, client=client, clock=clock, tz=tz)
        )
    if settings.sms is not None:
        token = None
        if settings.sms.token_env is not None:
            token = _secret(environment, settings.sms.token_env, "sms gateway token")
        senders.append(SmsGatewaySender(settings.sms, token=token, client=client, tz=tz))
    return ChannelNotifier(senders, retry=settings.retry, clock=clock, sleep=sleep)
