"""A real uvicorn server with the dispatch app on a free loopback port, over a harness core (migrated,
site-synced database, Monday 2026-11-23 09:00), with an evidence folder, for the browser tests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import uvicorn
from sqlalchemy.orm import Session

from dispatch.api.context import ApiContext
from dispatch.app import create_app
from dispatch.camera_status import CameraStatusBoard
from dispatch.evidence import EvidenceFolder
from dispatch.incident_consumer import incident_handler
from dispatch.photos import PhotoStore
from dispatch.rating_links import RatingLinkSigner
from dispatch.tokens import issue_token
from gridwatch.runtime.ports import free_port
from tests.dispatch.core.harness import Harness, incident


def street_jpeg(width: int = 640, height: int = 360, bikes: int = 3, seed: int = 1) -> bytes:
    """A street-like evidence picture: road, sidewalk, zone outline and boxed two-wheelers."""
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), (90, 90, 90), dtype=np.uint8)
    image[height // 2 :, :] = (170, 180, 185)
    zone = np.array(
        [
            [40, height - 20],
            [width - 40, height - 20],
            [width - 120, height // 2 + 10],
            [120, height // 2 + 10],
        ]
    )
    cv2.polylines(image, [zone.astype(np.int32)], True, (60, 60, 255), 2)
    for i in range(bikes):
        x = 150 + i * 120 + int(rng.integers(0, 20))
        y = height // 2 + 60
        cv2.rectangle(image, (x, y), (x + 70, y + 80), (40, 40, 40), -1)
        cv2.circle(image, (x + 12, y + 70), 12, (20, 20, 20), -1)
        cv2.circle(image, (x + 58, y + 70), 12, (20, 20, 20), -1)
        cv2.rectangle(image, (x - 4, y - 4), (x + 74, y + 86), (0, 200, 255), 2)
        cv2.putText(
            image, f"bicycle #{i + 1}", (x - 4, y - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 200, 255), 1
        )
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return bytes(data.tobytes())


class UvicornThread:
    """``uvicorn.Server`` in a thread, started and stopped by the test."""

    def __init__(self, app: object, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn-test", daemon=True)

    def start(self, timeout_s: float = 15.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # open event streams would hold the graceful shutdown
        self.thread.join(timeout=10)


@dataclass
class LiveSite:
    harness: Harness
    context: ApiContext
    base_url: str
    evidence_root: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, person_id: str) -> str:
        if person_id not in self.tokens:
            with Session(self.harness.engine) as session, session.begin():
                self.tokens[person_id] = issue_token(session, person_id, self.harness.clock())
        return self.tokens[person_id]

    def url(self, path: str, person_id: str | None = None) -> str:
        query = "" if person_id is None else f"?token={self.token(person_id)}"
        return f"{self.base_url}{path}{query}"

    def file_incident(
        self,
        incident_id: str,
        *,
        camera_id: str = "cam-0001",
        micro_grid_id: str = "mg-xq-01",
        bikes: int = 3,
    ) -> str:
        """An incident with a real evidence file, through the consumer's own handler; the case id."""
        moment = self.harness.clock() - timedelta(minutes=1)
        evidence = self.evidence_root / camera_id / "20261123" / f"{incident_id}.jpg"
        evidence.parent.mkdir(parents=True, exist_ok=True)
        evidence.write_bytes(street_jpeg(bikes=bikes, seed=len(incident_id)))
        message = incident(
            incident_id,
            camera_id=camera_id,
            micro_grid_id=micro_grid_id,
            object_count=bikes,
            started_at=moment - timedelta(minutes=12),
            observed_at=moment,
            evidence_url=evidence.resolve().as_uri(),
        )
        incident_handler(self.harness.core.bus)(message)
        return self.harness.case_of(incident_id).id


def start_live_site(
    harness: Harness, tmp_path: Path, board: CameraStatusBoard | None = None
) -> tuple[LiveSite, UvicornThread]:
    evidence_root = tmp_path / "evidence"
    evidence_root.mkdir()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    context = ApiContext(
        core=harness.core,
        photos=PhotoStore(tmp_path / "photos"),
        rating_links=RatingLinkSigner(b"k" * 32, harness.clock),
        evidence=EvidenceFolder(evidence_root, base_url),
        cameras=board or CameraStatusBoard(),
    )
    server = UvicornThread(create_app(context), port)
    server.start()
    return LiveSite(harness, context, base_url, evidence_root), server


def wait_js(page: object, expression: str, timeout_s: float = 10.0) -> object:
    """Poll ``expression`` in the page until it is truthy (``page.wait_for_function`` evaluates strings with
    eval, which the pages' Content-Security-Policy forbids; ``page.evaluate`` is not subject to it)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)  # type: ignore[attr-defined]
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.05)
