"""A browser's Web Push subscription: the push service endpoint and the keys to encrypt to (RFC 8030, 8291).

Its own module so that every part of push can name it (the channel context, the subscription store) without
depending on the Web Push sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dispatch.push.webpush_crypto import b64url_decode


@dataclass(frozen=True)
class WebPushSubscription:
    """A browser's ``PushSubscription``: the push service endpoint and the keys to encrypt the payload to."""

    endpoint: str
    p256dh: str
    auth: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"push subscription endpoint {self.endpoint!r} is not an absolute http(s) URL")
        try:
            point = b64url_decode(self.p256dh)
            secret = b64url_decode(self.auth)
        except ValueError as error:
            raise ValueError(f"push subscription keys for {self.endpoint}: {error}") from None
        if len(point) != 65 or point[0] != 4:
            raise ValueError(
                f"push subscription p256dh for {self.endpoint} is not an uncompressed P-256 point (65 bytes)"
            )
        if len(secret) != 16:
            raise ValueError(f"push subscription auth for {self.endpoint} is {len(secret)} bytes, not 16")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WebPushSubscription:
        """From the page's ``subscription.toJSON()``: ``{"endpoint", "keys": {"p256dh", "auth"}}``."""
        keys = data.get("keys")
        endpoint = data.get("endpoint")
        if not isinstance(endpoint, str) or not isinstance(keys, dict):
            raise ValueError("a push subscription needs an endpoint string and a keys object")
        p256dh, auth = keys.get("p256dh"), keys.get("auth")
        if not isinstance(p256dh, str) or not isinstance(auth, str):
            raise ValueError(f"push subscription for {endpoint} lacks keys.p256dh or keys.auth")
        return cls(endpoint=endpoint, p256dh=p256dh, auth=auth)

    @property
    def audience(self) -> str:
        """The VAPID ``aud`` claim: the endpoint's origin."""
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def short(self) -> str:
        """The endpoint origin and the end of its path, for details (the full endpoint is a credential)."""
        return f"{self.audience}/…{self.endpoint[-8:]}"
