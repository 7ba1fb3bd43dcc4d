"""A Web Push service for tests: checks the VAPID token (RFC 8292) and decrypts aes128gcm (RFC 8291).

Written from the RFCs with ``cryptography`` only, independently of pywebpush / http_ece, so the sender is
checked against the standard rather than against the library it uses.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dispatch.push import WebPushSubscription
from tests.dispatch.push.local_http import Reply, Request


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass
class Subscriber:
    """A browser's push keys (user agent side of RFC 8291)."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def subscription(self, endpoint: str) -> WebPushSubscription:
        return WebPushSubscription(
            endpoint=endpoint, p256dh=b64url(self.public_bytes), auth=b64url(self.auth_secret)
        )

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8291 §3.4 / RFC 8188 §2: one record, key id = the application server's ephemeral public key."""
        salt, record_size, id_length = body[:16], struct.unpack("!I", body[16:20])[0], body[20]
        assert id_length == 65, f"keyid must be the 65-byte sender public key, is {id_length} bytes"
        sender_public = body[21 : 21 + id_length]
        ciphertext = body[21 + id_length :]
        assert record_size >= 18 and len(ciphertext) <= record_size, "a single record is expected"
        sender_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public)
        ecdh_secret = self.private_key.exchange(ec.ECDH(), sender_key)
        key_info = b"WebPush: info\x00" + self.public_bytes + sender_public
        ikm = _hkdf(self.auth_secret, ecdh_secret, key_info, 32)
        cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
        unpadded = padded.rstrip(b"\x00")
        assert unpadded.endswith(b"\x02"), "the last record must end with the 0x02 delimiter"
        return unpadded[:-1]


def verify_vapid(authorization: str, audience: str, now: datetime) -> dict[str, Any]:
    """Check ``vapid t=<jwt>, k=<key>``: ES256 signature by k, aud = our origin, exp in (now, now + 24 h]."""
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid", f"Authorization scheme is {scheme!r}, not vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    token, public_key = fields["t"], fields["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    assert header == {"typ": "JWT", "alg": "ES256"}, header
    signature = unb64url(signature_b64)
    assert len(signature) == 64, "ES256 signature is r || s, 64 bytes"
    der = utils.encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(der, f"{header_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))  # raises if bad
    claims: dict[str, Any] = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience, f"aud {claims['aud']!r} is not the push service origin {audience!r}"
    assert str(claims["sub"]).startswith("mailto:"), claims["sub"]
    exp = datetime.fromtimestamp(claims["exp"], now.tzinfo)
    assert now < exp <= now + timedelta(hours=24), f"exp {exp} not within 24 h of {now}"
    claims["_k"] = public_key
    return claims


@dataclass(frozen=True)
class Received:
    """One push the service accepted: the decrypted JSON, the VAPID claims and the request headers."""

    path: str
    payload: dict[str, Any]
    claims: dict[str, Any]
    headers: dict[str, str]
    body_size: int


class PushService:
    """The handler of a local push service; paths are subscriptions, ``script`` scripts answers per path."""

    def __init__(self, now: Any) -> None:
        self._now = now
        self.origin = ""
        self.subscribers: dict[str, Subscriber] = {}
        self.script: dict[str, list[Reply]] = {}
        self.received: list[Received] = []

    def subscribe(self, path: str) -> WebPushSubscription:
        subscriber = Subscriber()
        self.subscribers[path] = subscriber
        return subscriber.subscription(self.origin + path)

    def __call__(self, request: Request) -> Reply:
        assert request.method == "POST"
        queued = self.script.get(request.path)
        if queued:
            return queued.pop(0)
        subscriber = self.subscribers.get(request.path)
        if subscriber is None:
            return Reply(404, b"no such subscription")
        claims = verify_vapid(request.headers["authorization"], self.origin, self._now())
        assert request.headers["content-encoding"] == "aes128gcm"
        assert int(request.headers["ttl"]) >= 0
        assert len(request.body) <= 4096, f"body of {len(request.body)} bytes is over 4096"
        payload = json.loads(subscriber.decrypt(request.body).decode("utf-8"))
        self.received.append(Received(request.path, payload, claims, request.headers, len(request.body)))
        return Reply(201, b"", {"Location": f"{self.origin}/messages/{len(self.received)}"})
