"""The typed boundary over pywebpush and py_vapid (both untyped): VAPID keys and tokens, aes128gcm bodies.

Nothing else in Gridwatch imports those libraries; everything here takes and returns plain types.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02, VapidException  # type: ignore[import-untyped]
from pywebpush import WebPusher, WebPushException  # type: ignore[import-untyped]


class VapidKeyError(ValueError):
    """A VAPID private key that cannot be read or is not a P-256 key."""


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url, as Web Push keys are written."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding (raises ValueError on bad input)."""
    cleaned = text.strip()
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"not base64url: {error}") from None


def _p256(key: Any, source: str) -> ec.EllipticCurvePrivateKey:
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise VapidKeyError(f"the VAPID key in {source} is not an EC P-256 (prime256v1) private key")
    return key


class VapidKey:
    """The application server's VAPID key pair (RFC 8292): signs tokens, gives the public key to the page."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self._private_key = _p256(private_key, "the given object")
        self._vapid = Vapid02(private_key)

    @classmethod
    def from_pem_file(cls, path: Path) -> VapidKey:
        """Read a PEM private key file (PKCS#8 or SEC1)."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise VapidKeyError(f"cannot read the VAPID private key file {path}: {error.strerror}") from None
        return cls.from_text(data.decode("utf-8", errors="replace"), str(path))

    @classmethod
    def from_text(cls, text: str, source: str = "the environment") -> VapidKey:
        """A key given as PEM, or as base64url of the raw 32-byte scalar or of DER."""
        stripped = text.strip()
        if not stripped:
            raise VapidKeyError(f"the VAPID private key in {source} is empty")
        try:
            if stripped.startswith("-----BEGIN"):
                key: Any = serialization.load_pem_private_key(stripped.encode("ascii"), password=None)
            else:
                raw = b64url_decode(stripped.replace("\n", ""))
                if len(raw) == 32:
                    key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
                else:
                    key = serialization.load_der_private_key(raw, password=None)
        except (ValueError, TypeError) as error:
            raise VapidKeyError(f"the VAPID private key in {source} cannot be read: {error}") from None
        return cls(_p256(key, source))

    @classmethod
    def generate(cls) -> VapidKey:
        """A new random key pair."""
        return cls(ec.generate_private_key(ec.SECP256R1()))

    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM (keep it secret)."""
        return self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_key_b64url(self) -> str:
        """The uncompressed public point, base64url: the page's ``applicationServerKey``."""
        point = self._private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url_encode(point)

    def authorization(self, claims: Mapping[str, str | int]) -> str:
        """The ``Authorization: vapid t=<ES256 JWT>, k=<public key>`` header value for ``claims``."""
        try:
            headers: Any = self._vapid.sign(dict(claims))
        except VapidException as error:
            raise ValueError(f"VAPID claims rejected: {error}") from None
        value = headers["Authorization"]
        if not isinstance(value, str):  # pragma: no cover - py_vapid always returns str
            raise TypeError("py_vapid returned a non-string Authorization header")
        return value


def encrypt_aes128gcm(plaintext: bytes, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body (RFC 8188 record with the RFC 8291 key derivation) for one subscription."""
    subscription = {"endpoint": "https://unused.invalid/", "keys": {"p256dh": p256dh, "auth": auth}}
    try:
        encoded: Any = WebPusher(subscription).encode(plaintext, content_encoding="aes128gcm")
    except WebPushException as error:
        raise ValueError(f"cannot encrypt for this subscription: {error.message}") from None
    body = encoded["body"]
    if not isinstance(body, bytes):  # pragma: no cover - pywebpush always returns bytes
        raise TypeError("pywebpush returned a non-bytes body")
    return body
