"""A local HTTP snapshot server with digest (or basic) authentication, like a camera's ISAPI endpoint."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REALM = "IP Camera"
_FIELD = re.compile(r'(\w+)=(?:"([^"]*)"|([^,\s]*))')


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class SnapshotCamera:
    """Serves ``body()`` at the ISAPI picture path to clients with the right credentials."""

    PATH = "/ISAPI/Streaming/channels/101/picture"

    def __init__(
        self, body: Callable[[], bytes], *, username: str, password: str, scheme: str = "digest"
    ) -> None:
        self.body = body
        self.requests = 0
        self.rejected = 0
        camera = self
        nonce = secrets.token_hex(16)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != SnapshotCamera.PATH:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                if not camera._authorized(self.headers.get("Authorization", ""), "GET", self.path, nonce):
                    camera.rejected += 1
                    self.send_response(HTTPStatus.UNAUTHORIZED)
                    if scheme == "digest":
                        challenge = f'Digest realm="{REALM}", nonce="{nonce}", qop="auth", algorithm=MD5'
                    else:
                        challenge = f'Basic realm="{REALM}"'
                    self.send_header("WWW-Authenticate", challenge)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                camera.requests += 1
                data = camera.body()
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._scheme = scheme
        self._username = username
        self._password = password
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.PATH}"

    def _authorized(self, header: str, method: str, uri: str, nonce: str) -> bool:
        if self._scheme == "basic":
            expected = base64.b64encode(f"{self._username}:{self._password}".encode()).decode()
            return header == f"Basic {expected}"
        if not header.startswith("Digest "):
            return False
        fields = {m[0]: m[1] or m[2] for m in _FIELD.findall(header[7:])}
        if fields.get("username") != self._username or fields.get("nonce") != nonce:
            return False
        ha1 = _md5(f"{self._username}:{REALM}:{self._password}")
        ha2 = _md5(f"{method}:{fields.get('uri', '')}")
        expected = _md5(
            f"{ha1}:{nonce}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:{fields.get('qop', '')}:{ha2}"
        )
        return fields.get("uri") == uri and fields.get("response") == expected

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
