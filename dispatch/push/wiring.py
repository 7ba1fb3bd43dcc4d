"""Build the notifier of a dispatch process from its settings: one sender per configured channel section,
each built by its channel's plugin (see :mod:`dispatch.push.registry`), secrets read from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo

import httpx

from dispatch.push.channel import ChannelContext, ChannelSender, PushConfigError
from dispatch.push.notifier import ChannelNotifier
from dispatch.push.registry import PushSettings, plugin_for
from dispatch.push.webpush import load_vapid_key
from dispatch.push.webpush_subscription import WebPushSubscription

__all__ = ["PushConfigError", "build_notifier", "load_vapid_key", "utc_now"]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


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
) -> ChannelNotifier:
    """A :class:`ChannelNotifier` with a sender for every channel section in ``settings``.

    ``tz`` is the site's timezone (times in messages are local); ``client`` is owned by the caller (close it
    on shutdown). Web Push needs ``subscriptions_for`` and ``on_gone``; ``on_ok`` (optional) hears of every
    subscription whose push service accepted a message. Raises :class:`PushConfigError` when
    a secret is missing, so a misconfigured process stops at start rather than at the first case.
    """
    context = ChannelContext(
        client=client,
        tz=tz,
        clock=clock,
        env=os.environ if env is None else env,
        subscriptions_for=subscriptions_for,
        on_gone=on_gone,
        on_ok=on_ok,
    )
    senders: list[ChannelSender] = [
        plugin_for(kind).build(section, context) for kind, section in settings.channels.items()
    ]
    return ChannelNotifier(senders, retry=settings.retry, clock=clock)
