"""Evidence stores: a local folder (default) or an S3-compatible bucket, each returning a URL per image."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from detectors.evidence.settings import EvidenceSettings, S3Settings


class EvidenceStore(Protocol):
    """Keeps evidence images and says where to read them."""

    def put(self, key: str, jpeg: bytes) -> str:
        """Store ``jpeg`` under ``key`` (``camera/date/name.jpg``); the URL to read it from."""
        ...


def evidence_key(camera_id: str, captured_at: float, seq: int) -> str:
    """``<camera>/<UTC date>/<UTC time>-<seq>.jpg``, from the frame's own timestamp."""
    moment = dt.datetime.fromtimestamp(captured_at, tz=dt.UTC)
    return f"{camera_id}/{moment:%Y%m%d}/{moment:%H%M%S}-{seq:010d}.jpg"


class LocalFolderStore:
    """Writes images under a folder (atomically: temp file, then rename)."""

    def __init__(self, root: Path, base_url: str | None = None) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/") + "/" if base_url else None

    def put(self, key: str, jpeg: bytes) -> str:
        """Write the image; its URL (``base_url`` + key, or a file:// URL)."""
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(jpeg)
        temporary.replace(path)
        if self.base_url:
            return self.base_url + quote(key)
        return path.resolve().as_uri()


class S3Store:
    """PUTs images to an S3-compatible bucket with AWS Signature Version 4 (path-style URLs)."""

    def __init__(
        self,
        settings: S3Settings,
        access_key: str,
        secret_key: str,
        *,
        client: httpx.Client | None = None,
        now: Any = None,
    ) -> None:
        self.settings = settings
        self._access_key = access_key
        self._secret_key = secret_key
        self._client = client or httpx.Client(timeout=settings.timeout_s)
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def from_env(cls, settings: S3Settings) -> S3Store:
        """Credentials from the environment variables the settings name."""
        access, secret = os.environ.get(settings.access_key_env), os.environ.get(settings.secret_key_env)
        if not access or not secret:
            raise ValueError(f"set {settings.access_key_env} and {settings.secret_key_env} for the S3 store")
        return cls(settings, access, secret)

    def object_path(self, key: str) -> str:
        """``/<bucket>/<prefix><key>``, URI-encoded."""
        return "/" + quote(f"{self.settings.bucket}/{self.settings.prefix}{key}")

    def put(self, key: str, jpeg: bytes) -> str:
        """Upload; the object's URL. Raises ``httpx.HTTPStatusError`` on a refusal."""
        url = self.settings.endpoint.rstrip("/") + self.object_path(key)
        headers = self.signed_headers("PUT", url, jpeg, content_type="image/jpeg")
        response = self._client.put(url, content=jpeg, headers=headers)
        response.raise_for_status()
        if self.settings.public_base_url:
            return self.settings.public_base_url.rstrip("/") + "/" + quote(self.settings.prefix + key)
        return url

    def signed_headers(self, method: str, url: str, body: bytes, *, content_type: str) -> dict[str, str]:
        """Headers carrying an AWS SigV4 signature for one request."""
        parsed = httpx.URL(url)
        moment = self._now()
        amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
        day = moment.strftime("%Y%m%d")
        payload_hash = hashlib.sha256(body).hexdigest()
        host = parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"
        headers = {
            "content-type": content_type,
            "host": host,
            "x-amz-content-sha256": payload_hash,
            "x-amz-date": amz_date,
        }
        names = sorted(headers)
        canonical = "\n".join(
            [
                method,
                parsed.raw_path.decode("ascii").split("?", 1)[0],
                "",
                "".join(f"{name}:{headers[name]}\n" for name in names),
                ";".join(names),
                payload_hash,
            ]
        )
        scope = f"{day}/{self.settings.region}/s3/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = f"AWS4{self._secret_key}".encode()
        for part in (day, self.settings.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self._access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        del headers["host"]  # httpx sets it from the URL
        return headers


def make_store(settings: EvidenceSettings) -> EvidenceStore:
    """The store the settings ask for."""
    if settings.s3 is not None:
        return S3Store.from_env(settings.s3)
    return LocalFolderStore(settings.directory, settings.base_url)
