"""Push to phones: task notices sent to a person over Web Push, WeCom, DingTalk or an SMS gateway.

:class:`ChannelNotifier` tries a person's channels in their configured order, retries transient failures with
backoff and falls back to the next channel; :func:`build_notifier` wires it from :class:`PushSettings`.
"""

from dispatch.push.channel import ChannelSender, SendResult, SendStatus
from dispatch.push.dingtalk import DingTalkSender
from dispatch.push.notice import (
    DeliveryAttempt,
    DeliveryOutcome,
    NoticeKind,
    Notifier,
    TaskNotice,
)
from dispatch.push.notifier import ChannelNotifier
from dispatch.push.settings import (
    DingTalkSettings,
    PushSettings,
    RetrySettings,
    SmsGatewaySettings,
    WebPushSettings,
    WeComSettings,
)
from dispatch.push.sms_gateway import SmsGatewaySender
from dispatch.push.webpush import WebPushSender, WebPushSubscription
from dispatch.push.wecom import WeComSender
from dispatch.push.wiring import PushConfigError, build_notifier
from dispatch.push.wording import compose_notice

__all__ = [
    "ChannelNotifier",
    "ChannelSender",
    "DeliveryAttempt",
    "DeliveryOutcome",
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
]
