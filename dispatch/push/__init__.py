"""Push to phones: task notices sent to a person over Web Push, WeCom, DingTalk or an SMS gateway.

:class:`ChannelNotifier` tries a person's channels in their configured order, schedules retries of transient
failures with backoff and falls back to the next channel; :func:`build_notifier` wires it from
:class:`PushSettings`, whose channel sections are the plugins listed in :mod:`dispatch.push.registry`.
"""

from dispatch.push.channel import (
    ChannelContext,
    ChannelPlugin,
    ChannelSender,
    PushConfigError,
    SendResult,
    SendStatus,
)
from dispatch.push.dingtalk import DingTalkSender, DingTalkSettings
from dispatch.push.notice import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryProgress,
    DeliveryStep,
    NoticeKind,
    Notifier,
    TaskNotice,
)
from dispatch.push.notifier import ChannelNotifier
from dispatch.push.registry import CHANNELS, PushSettings, plugin_for
from dispatch.push.settings import ChannelSettings, RetrySettings
from dispatch.push.sms_gateway import SmsGatewaySender, SmsGatewaySettings
from dispatch.push.webpush import WebPushSender, WebPushSettings
from dispatch.push.webpush_subscription import WebPushSubscription
from dispatch.push.wecom import WeComSender, WeComSettings
from dispatch.push.wiring import build_notifier
from dispatch.push.wording import compose_notice

__all__ = [
    "CHANNELS",
    "ChannelContext",
    "ChannelNotifier",
    "ChannelPlugin",
    "ChannelSender",
    "ChannelSettings",
    "DeliveryAttempt",
    "DeliveryOutcome",
    "DeliveryProgress",
    "DeliveryStep",
    "DingTalkSender",
    "DingTalkSettings",
    "NoticeKind",
    "Notifier",
    "PushConfigError",
    "PushSettings",
    "RetrySettings",
    "SendResult",
    "SendStatus",
    "SmsGatewaySender",
    "SmsGatewaySettings",
    "TaskNotice",
    "WeComSender",
    "WeComSettings",
    "WebPushSender",
    "WebPushSettings",
    "WebPushSubscription",
    "build_notifier",
    "compose_notice",
    "plugin_for",
]
