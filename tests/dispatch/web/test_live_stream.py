"""The live stream (FastAPI's Server-Sent Events) on a real uvicorn: its wire format, a case event while a
photo upload is busy (the upload runs in the thread pool, not on the event loop that serves the streams), and
the subscription closed when the client goes away."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from dispatch.api.context import ApiContext
from dispatch.app import create_app
from dispatch.photos import CheckedPhoto, PhotoStore
from dispatch.rating_links import RatingLinkSigner
from gridwatch.runtime.ports import free_port
from tests.dispatch.api.images import jpeg
from tests.dispatch.core.flows import WORKER, file_case
from tests.dispatch.core.harness import Harness, HarnessFactory, local
from tests.dispatch.waiting import DEADLINE_S, wait_until
from tests.dispatch.web.live_site import UvicornThread


class BlockingPhotoStore(PhotoStore):
    """A photo store whose writes wait until ``release`` is set: a disk that is slow right now."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.entered = threading.Event()
        self.release = threading.Event()

    def save(self, case_id: str, photo_id: str, photo: CheckedPhoto) -> str:
        self.entered.set()
        self.release.wait(DEADLINE_S)
        return super().save(case_id, photo_id, photo)


@dataclass
class Served:
    harness: Harness
    photos: BlockingPhotoStore
    base_url: str
    token: str
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def open_stream(self, stop: threading.Event) -> threading.Thread:
        """Read the worker's event stream line by line into ``lines`` on a thread, until ``stop``."""

        def read() -> None:
            try:
                with (
                    httpx.Client(timeout=httpx.Timeout(10.0, read=None)) as client,
                    client.stream(
                        "GET", f"{self.base_url}/api/v1/me/events", params={"access_token": self.token}
                    ) as response,
                ):
                    for line in response.iter_lines():
                        self.lines.put(line)
                        if stop.is_set():
                            return
            except httpx.RemoteProtocolError:  # the server stopped (the test is over) mid-stream
                return

        thread = threading.Thread(target=read, name="sse-reader", daemon=True)
        thread.start()
        return thread

    def next_line(self, matching: str) -> str:
        """The next line of the stream that starts with ``matching`` (others are skipped)."""
        while True:
            line = self.lines.get(timeout=DEADLINE_S)
            if line.startswith(matching):
                return line


@pytest.fixture
def served(new_harness: HarnessFactory, tmp_path: Path) -> Iterator[Served]:
    from sqlalchemy.orm import Session

    from dispatch.tokens import issue_token

    harness = new_harness(local("2026-11-23 09:00"), sse_keepalive_s=1.0)
    photos = BlockingPhotoStore(tmp_path / "photos")
    context = ApiContext(harness.core, photos, RatingLinkSigner(b"k" * 32, harness.clock))
    port = free_port()
    server = UvicornThread(create_app(context), port)
    server.start()
    with Session(harness.engine) as session, session.begin():
        token = issue_token(session, WORKER, harness.clock())
    try:
        yield Served(harness, photos, f"http://127.0.0.1:{port}", token)
    finally:
        photos.release.set()
        server.stop()


def test_the_stream_says_retry_and_ready_then_case_events_and_keeps_alive(served: Served) -> None:
    stop = threading.Event()
    served.open_stream(stop)
    assert served.lines.get(timeout=DEADLINE_S) == "retry: 3000"
    assert served.next_line("event:") == "event: ready"
    wait_until(lambda: served.harness.core.live.subscriber_count(WORKER) == 1, "the stream to subscribe")

    case_id = file_case(served.harness)

    assert served.next_line("event:") == "event: case"
    data = served.next_line("data:")
    assert f'"case_id":"{case_id}"' in data.replace(" ", "")
    assert served.next_line(":") == ": keepalive"  # idle for sse_keepalive_s
    stop.set()


def test_a_case_event_reaches_the_stream_while_a_photo_upload_is_busy(served: Served) -> None:
    case_id = file_case(served.harness)
    stop = threading.Event()
    served.open_stream(stop)
    assert served.next_line("event:") == "event: ready"
    wait_until(lambda: served.harness.core.live.subscriber_count(WORKER) == 1, "the stream to subscribe")
    uploaded: list[httpx.Response] = []

    def upload() -> None:
        uploaded.append(
            httpx.post(
                f"{served.base_url}/api/v1/cases/{case_id}/photos",
                headers={"Authorization": f"Bearer {served.token}"},
                files={"file": ("after.jpg", jpeg(), "image/jpeg")},
                timeout=DEADLINE_S,
            )
        )

    uploader = threading.Thread(target=upload, name="uploader", daemon=True)
    uploader.start()
    assert served.photos.entered.wait(DEADLINE_S)  # the upload is writing its file, and stays there

    other = file_case(served.harness, "inc-2", camera_id="cam-0002")
    assert served.next_line("event:") == "event: case"
    assert f'"case_id":"{other}"' in served.next_line("data:").replace(" ", "")
    assert httpx.get(f"{served.base_url}/healthz", timeout=DEADLINE_S).json() == {"status": "ok"}
    assert not served.photos.release.is_set() and uploader.is_alive()  # all while the upload was busy

    served.photos.release.set()
    uploader.join(DEADLINE_S)
    [answer] = uploaded
    assert answer.status_code == 201, answer.text
    assert (answer.json()["uploaded_by"], answer.json()["width"]) == (WORKER, 64)
    assert (served.photos.root / case_id / f"{answer.json()['id']}.jpg").read_bytes() == jpeg()
    stop.set()


def test_the_subscription_closes_when_the_client_goes_away(served: Served) -> None:
    live = served.harness.core.live
    with (
        httpx.Client(timeout=httpx.Timeout(10.0, read=None)) as client,
        client.stream(
            "GET", f"{served.base_url}/api/v1/me/events", params={"access_token": served.token}
        ) as response,
    ):
        # Keep the line iterator referenced while the stream should stay open: a discarded one is finalised,
        # and httpcore closes the connection when its body generator is closed.
        lines = response.iter_lines()
        assert next(lines) == "retry: 3000"
        wait_until(lambda: live.subscriber_count(WORKER) == 1, "the stream to subscribe")
    wait_until(lambda: live.subscriber_count(WORKER) == 0, "the subscription to close")
