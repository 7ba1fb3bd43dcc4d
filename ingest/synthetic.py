"""Synthetic cameras for load tests: serve N HTTP snapshot cameras, or emit N cameras' frames to gw.frames.

Both share one scene: a cycle of pre-encoded JPEGs of a street with a moving box, each camera at its own
phase, so that serving or emitting 1,150 cameras costs no encoding at run time.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
import numpy as np

from gridwatch.messages import Frame, FrameReason, SourceKind, encode, key_of, topic_of
from ingest.clips import ClipSpec, background, render
from ingest.frame_encoder import encode_jpeg
from ingest.publisher import Producer

#: URL path of camera ``sim-0001``'s snapshot: ``/cameras/sim-0001/snapshot.jpg``.
SNAPSHOT_PATH = re.compile(r"^/cameras/(?P<camera>[A-Za-z0-9._-]+)/snapshot\.jpg$")


def camera_id(index: int) -> str:
    """Id of synthetic camera ``index`` (0-based): ``sim-0001`` for 0."""
    return f"sim-{index + 1:04d}"


@dataclass(frozen=True)
class Scene:
    """A cycle of pre-encoded JPEG frames, ``fps`` per second of scene time."""

    width: int
    height: int
    fps: float
    jpegs: tuple[bytes, ...]

    @classmethod
    def build(cls, width: int = 640, height: int = 360, frames: int = 40, fps: float = 4.0) -> Scene:
        """Render and encode ``frames`` frames of a street with moving boxes."""
        if frames < 1 or fps <= 0:
            raise ValueError("a scene needs at least one frame and a positive rate")
        spec = ClipSpec(width=width, height=height, fps=max(1, round(fps)), seconds=frames / fps, moving=True)
        rng = np.random.default_rng(spec.seed)
        base = background(width, height, spec.seed)
        jpegs = tuple(encode_jpeg(render(spec, base, index, rng), 80) for index in range(frames))
        return cls(width, height, fps, jpegs)

    def jpeg_at(self, index: int, at: float) -> bytes:
        """The JPEG camera ``index`` shows at monotonic time ``at``."""
        return self.jpegs[(int(at * self.fps) + index * 7) % len(self.jpegs)]


class SnapshotServer:
    """An HTTP server answering ``/cameras/sim-NNNN/snapshot.jpg`` for ``count`` synthetic cameras."""

    def __init__(
        self,
        count: int,
        scene: Scene,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        self.count = count
        self.scene = scene
        self.requests = 0
        ids = {camera_id(index): index for index in range(count)}
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                match = SNAPSHOT_PATH.match(self.path)
                index = ids.get(match["camera"]) if match else None
                if index is None:
                    self.send_error(HTTPStatus.NOT_FOUND, "no such camera")
                    return
                body = scene.jpeg_at(index, clock())
                server_self.requests += 1
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, index: int) -> str:
        """Snapshot URL of camera ``index``."""
        return f"{self.base_url}/cameras/{camera_id(index)}/snapshot.jpg"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="gw-sim-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


def cameras_document(
    count: int,
    url_of: Callable[[int], str],
    *,
    micro_grid: str,
    sample_fps: float,
    resolution: tuple[int, int],
) -> list[dict[str, Any]]:
    """Site-config camera entries (``cameras:`` list items) for ``count`` synthetic snapshot cameras."""
    return [
        {
            "id": camera_id(index),
            "name": f"synthetic camera {index + 1}",
            "micro_grid": micro_grid,
            "location": {"lat": 0.0, "lon": 0.0},
            "resolution": list(resolution),
            "sample_fps": sample_fps,
            "source": {"kind": "http_snapshot", "url": url_of(index)},
        }
        for index in range(count)
    ]


def emit_frames(
    producer: Producer,
    count: int,
    scene: Scene,
    *,
    fps: float,
    seconds: float | None,
    stop: threading.Event,
    wall: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    progress: Callable[[int, float], None] | None = None,
) -> int:
    """Publish ``count`` cameras' frames to gw.frames at ``fps`` each, for ``seconds`` (or until ``stop``).

    Returns the number of frames sent. Frames of one tick are spread evenly over the tick.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    start = monotonic()
    interval = 1.0 / fps
    sent = 0
    seq = 0
    next_progress = start + 5.0
    while not stop.is_set():
        tick_start = start + seq * interval
        if seconds is not None and tick_start - start >= seconds:
            break
        for index in range(count):
            due = tick_start + interval * index / count
            wait = due - monotonic()
            if wait > 0 and stop.wait(wait):
                return sent
            frame = Frame(
                camera_id=camera_id(index),
                seq=seq,
                captured_at=wall(),
                source_kind=SourceKind.HTTP_SNAPSHOT,
                width=scene.width,
                height=scene.height,
                reason=FrameReason.MOTION,
                jpeg=scene.jpeg_at(index, monotonic()),
            )
            producer.send(
                topic_of(frame),
                value=encode(frame),
                key=key_of(frame),
                timestamp_ms=int(frame.captured_at * 1000),
            )
            sent += 1
        seq += 1
        if progress is not None and monotonic() >= next_progress:
            next_progress += 5.0
            progress(sent, monotonic() - start)
    producer.flush(timeout=30)
    return sent


def decode_check(jpeg: bytes) -> tuple[int, int]:
    """(width, height) of a JPEG, for tests and sanity checks."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("not a decodable JPEG")
    return int(image.shape[1]), int(image.shape[0])
