"""Signed rating links for residents: HMAC-SHA256 over (case id, nonce, expiry); single use by the nonce.

A link token is ``<payload>.<signature>``, both base64url: the payload is ``case_id|nonce|expires_epoch``.
Verification checks the signature in constant time, then the expiry; that the nonce was not used yet is the
database's job (``ratings.link_nonce`` is unique).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from dispatch.clock import Clock, from_epoch


class RatingLinkError(ValueError):
    """The link is malformed, forged or expired; the message says which."""


@dataclass(frozen=True)
class RatingLink:
    """What a valid link grants: one rating of one case, until ``expires_at``."""

    case_id: str
    nonce: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class RatingLinkSigner:
    """Issues and checks rating link tokens with one secret key."""

    def __init__(self, key: bytes, clock: Clock) -> None:
        if len(key) < 16:
            raise ValueError("the rating link key must be at least 16 bytes")
        self._key = key
        self._clock = clock

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def issue(self, case_id: str, ttl: timedelta) -> tuple[str, RatingLink]:
        """A token for one rating of ``case_id``, valid for ``ttl``."""
        expires = self._clock() + ttl
        nonce = secrets.token_hex(16)
        payload = f"{case_id}|{nonce}|{int(expires.timestamp())}".encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}", RatingLink(
            case_id, nonce, from_epoch(int(expires.timestamp()))
        )

    def verify(self, token: str) -> RatingLink:
        """The link a token stands for; :class:`RatingLinkError` when it is malformed, forged or expired."""
        try:
            payload_text, signature_text = token.split(".")
            payload, signature = _unb64(payload_text), _unb64(signature_text)
            case_id, nonce, expires_text = payload.decode("utf-8").split("|")
            expires = from_epoch(int(expires_text))
        except (ValueError, UnicodeDecodeError):
            raise RatingLinkError("the rating link is malformed") from None
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise RatingLinkError("the rating link's signature does not match")
        if self._clock() >= expires:
            raise RatingLinkError(f"the rating link expired at {expires.isoformat()}")
        return RatingLink(case_id, nonce, expires)
