"""A minimal RTSP relay for tests: Debian's ffmpeg publishes (ANNOUNCE/RECORD), readers play (DESCRIBE/PLAY).

FFmpeg cannot serve RTSP to players by itself (``-rtsp_flags listen`` exists for its RTSP *demuxer* only;
its muxer answers "Connection refused"), so ffmpeg encodes and packetises the stream and pushes it here over
TCP, and this relay forwards the interleaved RTP/RTCP packets to every reader, as MediaMTX would. When the
publisher goes away the relay drops its readers and answers DESCRIBE with 404 until a publisher is back.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import uuid


class _Conn:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()
        self.playing = False

    def send(self, data: bytes) -> bool:
        try:
            with self.lock:
                self.sock.sendall(data)
        except OSError:
            return False
        return True


class RtspRelay:
    """Listens on 127.0.0.1:``port`` (0: a free port)."""

    def __init__(self, port: int = 0) -> None:
        relay = self
        self._lock = threading.Lock()
        self.sdp: bytes | None = None
        self._readers: list[_Conn] = []
        self.publishes = 0

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                relay._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler, bind_and_activate=False)
        self._server.allow_reuse_address = True
        self._server.daemon_threads = True
        self._server.server_bind()
        self._server.server_activate()
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "cam") -> str:
        return f"rtsp://127.0.0.1:{self.port}/{path}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._drop_readers()

    def _drop_readers(self) -> None:
        with self._lock:
            readers, self._readers = self._readers, []
        for reader in readers:
            with contextlib.suppress(OSError):
                reader.sock.shutdown(socket.SHUT_RDWR)
            reader.sock.close()

    def _serve(self, sock: socket.socket) -> None:
        conn = _Conn(sock)
        stream = sock.makefile("rb")
        publisher = False
        session = uuid.uuid4().hex[:12]
        try:
            while True:
                first = stream.read(1)
                if not first:
                    return
                if first == b"$":
                    header = stream.read(3)
                    if len(header) < 3:
                        return
                    length = int.from_bytes(header[1:3], "big")
                    payload = stream.read(length)
                    if publisher:
                        self._forward(first + header + payload)
                    continue
                line = first + stream.readline()
                headers: dict[str, str] = {}
                while True:
                    raw = stream.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = stream.read(int(headers.get("content-length", "0") or 0))
                method, url, _version = line.decode("latin-1").split(" ", 2)
                cseq = headers.get("cseq", "0")
                extra: dict[str, str] = {}
                status = "200 OK"
                reply_body = b""
                if method == "OPTIONS":
                    extra["Public"] = (
                        "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, TEARDOWN, GET_PARAMETER"
                    )
                elif method == "ANNOUNCE":
                    publisher = True
                    with self._lock:
                        self.sdp = body
                        self.publishes += 1
                elif method == "DESCRIBE":
                    with self._lock:
                        sdp = self.sdp
                    if sdp is None:
                        status = "404 Not Found"
                    else:
                        extra["Content-Base"] = url.rstrip("/") + "/"
                        extra["Content-Type"] = "application/sdp"
                        reply_body = sdp
                elif method == "SETUP":
                    transport = headers.get("transport", "")
                    if "TCP" not in transport.upper():
                        status = "461 Unsupported Transport"
                    else:
                        extra["Transport"] = transport
                        extra["Session"] = session
                elif method in ("RECORD", "GET_PARAMETER", "SET_PARAMETER"):
                    extra["Session"] = session
                elif method == "PLAY":
                    extra["Session"] = session
                    extra["Range"] = "npt=0.000-"
                elif method == "TEARDOWN":
                    conn.send(_reply("200 OK", cseq, {}, b""))
                    return
                else:
                    status = "501 Not Implemented"
                if not conn.send(_reply(status, cseq, extra, reply_body)):
                    return
                if method == "PLAY" and status.startswith("200"):
                    with self._lock:
                        self._readers.append(conn)
        except (OSError, ValueError):
            return
        finally:
            if publisher:
                with self._lock:
                    self.sdp = None
                self._drop_readers()
            with self._lock:
                if conn in self._readers:
                    self._readers.remove(conn)
            with contextlib.suppress(OSError):
                sock.close()

    def _forward(self, packet: bytes) -> None:
        with self._lock:
            readers = list(self._readers)
        for reader in readers:
            if not reader.send(packet):
                with self._lock:
                    if reader in self._readers:
                        self._readers.remove(reader)


def _reply(status: str, cseq: str, extra: dict[str, str], body: bytes) -> bytes:
    lines = [f"RTSP/1.0 {status}", f"CSeq: {cseq}", "Server: gridwatch-test-relay"]
    lines += [f"{name}: {value}" for name, value in extra.items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
