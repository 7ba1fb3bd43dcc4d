"""Web Push (RFC 8030) to the worker phone page, with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291).

The phone page subscribes with the VAPID public key; the dispatch core stores each subscription per person
and hands this sender a ``subscriptions_for(person_id)`` callable. A message goes to every subscription of
the person (a person may have several phones); it counts as delivered when one push service accepts it.
A 404 or 410 means the subscription is gone: ``on_gone(subscription)`` tells the caller to delete it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self
from urllib.parse import urlsplit

import httpx
from pydantic import AfterValidator, Field, model_validator

from dispatch.push.channel import (
    ChannelContext,
    ChannelPlugin,
    PushConfigError,
    SendResult,
    SendStatus,
    http_status_result,
)
from dispatch.push.http_json import transport_failure
from dispatch.push.notice import NoticeKind, TaskNotice
from dispatch.push.settings import ChannelSettings
from dispatch.push.utf8 import truncate_utf8, utf8_len
from dispatch.push.webpush_crypto import VapidKey, VapidKeyError, b64url_encode, encrypt_aes128gcm
from dispatch.push.webpush_subscription import WebPushSubscription
from dispatch.push.wording import full_text_lines
from gridwatch.config import Person, PushChannel, WebPushChannel
from gridwatch.config.models_common import EnvVarName

log = logging.getLogger(__name__)

KIND: Final = "webpush"

_MAILTO = re.compile(r"mailto:[^@\s]+@[^@\s]+")


def _check_subject(value: str) -> str:
    if _MAILTO.fullmatch(value):
        return value
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.netloc:
        return value
    raise ValueError(
        f"{value!r} is not a VAPID subject; use a contact as mailto:ops@example.org or an https:// URL"
    )


VapidSubject = Annotated[str, AfterValidator(_check_subject)]
"""The VAPID ``sub`` claim: mailto: contact or https: URL."""


class Urgency(StrEnum):
    """The Web Push ``Urgency`` header (RFC 8030 §5.3): how eagerly a phone on battery is woken."""

    VERY_LOW = "very-low"
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


def _default_urgency() -> dict[NoticeKind, Urgency]:
    return {
        NoticeKind.NEW_TASK: Urgency.HIGH,
        NoticeKind.ESCALATED: Urgency.HIGH,
        NoticeKind.RETURNED: Urgency.HIGH,
        NoticeKind.REMINDER: Urgency.NORMAL,
    }


class WebPushSettings(ChannelSettings):
    """Web Push with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291)."""

    kind: Literal["webpush"] = Field(default=KIND, description="Channel kind: webpush.")
    vapid_private_key_file: Path | None = Field(
        default=None,
        description="PEM file with the VAPID P-256 private key (`gridwatch push vapid-keys` writes one).",
    )
    vapid_private_key_env: EnvVarName | None = Field(
        default=None,
        description="Environment variable holding the VAPID private key instead (PEM, or base64url raw/DER).",
    )
    subject: VapidSubject = Field(
        description="VAPID `sub` claim: who push services contact about this sender, mailto: or https: URL."
    )
    token_lifetime_s: int = Field(
        default=12 * 3600,
        ge=60,
        le=24 * 3600,
        description="Lifetime (`exp`) of each VAPID token, seconds; at most 24 h (RFC 8292 §2).",
    )
    ttl_s: int = Field(
        default=24 * 3600,
        ge=0,
        le=28 * 24 * 3600,
        description="How long the push service keeps a message for a phone that is offline, seconds (TTL).",
    )
    urgency: dict[NoticeKind, Urgency] = Field(
        default_factory=_default_urgency,
        description="Urgency header per notice kind (new_task, reminder, escalated, returned); else normal.",
    )
    collapse_per_case: bool = Field(
        default=True,
        description="Send a Topic header per case: a newer notice replaces one still waiting for the phone.",
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of one push request, seconds.")

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if (self.vapid_private_key_file is None) == (self.vapid_private_key_env is None):
            raise ValueError("name the VAPID private key with exactly one of vapid_private_key_file or _env")
        return self

    def urgency_for(self, kind: NoticeKind) -> Urgency:
        """The Urgency header for a notice kind."""
        return self.urgency.get(kind, Urgency.NORMAL)


def load_vapid_key(settings: WebPushSettings, env: Mapping[str, str]) -> VapidKey:
    """The VAPID key from the file or environment variable the settings name."""
    try:
        if settings.vapid_private_key_file is not None:
            return VapidKey.from_pem_file(settings.vapid_private_key_file)
        name = settings.vapid_private_key_env
        assert name is not None  # the settings validator guarantees one source
        value = env.get(name, "")
        if not value.strip():
            raise PushConfigError(
                f"webpush VAPID private key: environment variable {name} is not set (or empty)"
            )
        return VapidKey.from_text(value.strip(), f"${name}")
    except VapidKeyError as error:
        raise PushConfigError(f"webpush: {error}") from None


MAX_PLAINTEXT_BYTES = 4096 - 86 - 17
"""Largest payload whose aes128gcm body fits the 4096 bytes every push service must take (RFC 8291 §4):
86 bytes of header (salt, record size, key id length, 65-byte key) and 17 of padding delimiter and tag."""


def push_payload(notice: TaskNotice, tz: tzinfo) -> bytes:
    """The JSON the phone's service worker shows: title, body (with the deadline), url, case and class.

    The body is cut so the whole payload stays within :data:`MAX_PLAINTEXT_BYTES`.
    """
    document: dict[str, Any] = {
        "title": truncate_utf8(notice.title, 200),
        "body": "\n".join(full_text_lines(notice, tz)),
        "url": notice.url,
        "case_id": notice.case_id,
        "kind": str(notice.kind),
        "class_code": notice.class_code,
        "evidence_url": notice.evidence_url,
        "deadline_at": None if notice.deadline_at is None else notice.deadline_at.isoformat(),
    }

    def encode() -> bytes:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    data = encode()
    while len(data) > MAX_PLAINTEXT_BYTES and document["body"]:
        # JSON escapes make the body take more bytes in the document than in itself; cut and measure again
        room = utf8_len(document["body"]) - (len(data) - MAX_PLAINTEXT_BYTES)
        document["body"] = truncate_utf8(document["body"], max(0, room - 1), ellipsis="…" if room > 3 else "")
        data = encode()
    if len(data) > MAX_PLAINTEXT_BYTES:
        raise ValueError(
            f"push payload for case {notice.case_id} is {len(data)} bytes even with its body cut; "
            "shorten the url or evidence_url"
        )
    return data


def _topic(case_id: str) -> str:
    """A Topic header (at most 32 base64url characters) that names the case."""
    return b64url_encode(hashlib.sha256(case_id.encode("utf-8")).digest())[:32]


class WebPushSender:
    """Sends notices to every push subscription of a person."""

    kind = KIND

    def __init__(
        self,
        settings: WebPushSettings,
        *,
        vapid_key: VapidKey,
        subscriptions_for: Callable[[str], Sequence[WebPushSubscription]],
        on_gone: Callable[[WebPushSubscription], None],
        client: httpx.Client,
        clock: Callable[[], datetime],
        tz: tzinfo,
        on_ok: Callable[[WebPushSubscription], None] | None = None,
    ) -> None:
        self._settings = settings
        self._vapid = vapid_key
        self._subscriptions_for = subscriptions_for
        self._on_gone = on_gone
        self._on_ok = on_ok
        self._client = client
        self._clock = clock
        self._tz = tz

    def headers(self, subscription: WebPushSubscription, notice: TaskNotice) -> dict[str, str]:
        """Request headers for one push: VAPID authorization, TTL, Urgency, encoding and Topic."""
        expires = int(self._clock().timestamp()) + self._settings.token_lifetime_s
        claims: dict[str, str | int] = {
            "aud": subscription.audience,
            "exp": expires,
            "sub": self._settings.subject,
        }
        headers = {
            "Authorization": self._vapid.authorization(claims),
            "TTL": str(self._settings.ttl_s),
            "Urgency": self._settings.urgency_for(notice.notice_kind).value,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        if self._settings.collapse_per_case:
            headers["Topic"] = _topic(notice.case_id)
        return headers

    def push_one(self, subscription: WebPushSubscription, payload: bytes, notice: TaskNotice) -> SendResult:
        """One POST to one push service."""
        body = encrypt_aes128gcm(payload, subscription.p256dh, subscription.auth)
        try:
            response = self._client.post(
                subscription.endpoint,
                content=body,
                headers=self.headers(subscription, notice),
                timeout=self._settings.timeout_s,
            )
        except httpx.HTTPError as error:
            return transport_failure(f"push service {subscription.audience}", error)
        if response.status_code in (200, 201, 202):
            self._report_ok(subscription)
            return SendResult.delivered(
                f"push service {subscription.short} accepted ({response.status_code})"
            )
        if response.status_code in (404, 410):
            self._on_gone(subscription)
            return SendResult.permanent(
                f"subscription {subscription.short} gone (HTTP {response.status_code}), reported for removal"
            )
        return http_status_result(
            f"push service {subscription.short}",
            response.status_code,
            response.text,
            response.headers.get("Retry-After"),
        )

    def _report_ok(self, subscription: WebPushSubscription) -> None:
        """Tell ``on_ok`` (bookkeeping only: its failure does not undo the delivery)."""
        if self._on_ok is None:
            return
        try:
            self._on_ok(subscription)
        except Exception:
            log.exception("could not record the accepted push for %s", subscription.short)

    def send(self, person: Person, channel: PushChannel, notice: TaskNotice) -> SendResult:
        """Push to all of the person's subscriptions; delivered when at least one push service accepts."""
        if not isinstance(channel, WebPushChannel):
            return SendResult.permanent(f"webpush sender cannot use a {channel.kind} channel")
        subscriptions = list(self._subscriptions_for(person.id))
        if not subscriptions:
            return SendResult.permanent(
                f"{person.id} has no web push subscription (the phone page never enabled notifications)"
            )
        payload = push_payload(notice, self._tz)
        results = [self.push_one(subscription, payload, notice) for subscription in subscriptions]
        accepted = [result for result in results if result.ok]
        summary = "; ".join(result.detail for result in results)
        if accepted:
            return SendResult.delivered(f"web push accepted by {len(accepted)} of {len(results)}: {summary}")
        transient = [result for result in results if result.status is SendStatus.TRANSIENT]
        if transient:
            waits = [result.retry_after_s for result in transient if result.retry_after_s is not None]
            return SendResult.transient(f"web push failed: {summary}", max(waits) if waits else None)
        return SendResult.permanent(f"web push failed: {summary}")


def build_sender(settings: WebPushSettings, context: ChannelContext) -> WebPushSender:
    """The Web Push sender; it needs the subscription store's ``subscriptions_for`` and ``on_gone``."""
    if context.subscriptions_for is None or context.on_gone is None:
        raise PushConfigError("webpush is configured: pass subscriptions_for and on_gone to build_notifier")
    return WebPushSender(
        settings,
        vapid_key=load_vapid_key(settings, context.env),
        subscriptions_for=context.subscriptions_for,
        on_gone=context.on_gone,
        client=context.client,
        clock=context.clock,
        tz=context.tz,
        on_ok=context.on_ok,
    )


PLUGIN = ChannelPlugin(KIND, WebPushSettings, build_sender)
"""The Web Push channel, as :mod:`dispatch.push.registry` lists it."""
