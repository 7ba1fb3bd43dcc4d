from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterator

import cv2
import pytest

from gridwatch.messages import CameraState, SourceKind
from ingest.camera_worker import CameraWorker
from ingest.clocks import Clocks
from ingest.counters import Outcome
from ingest.settings import BackoffSettings, IngestSettings
from ingest.sources.factory import build_source
from tests.ingest.helpers import CollectingOutlet, make_camera, solid, wait_for
from tests.ingest.snapshot_server import SnapshotCamera


def jpeg(value: int) -> bytes:
    image = solid(value=value)
    cv2.rectangle(image, (value % 200, 50), (value % 200 + 60, 120), (255, 255, 255), -1)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


@pytest.fixture
def camera_server() -> Iterator[SnapshotCamera]:
    counter = itertools.count()
    frames = [jpeg(40 * i) for i in range(5)]
    server = SnapshotCamera(
        lambda: frames[next(counter) % len(frames)], username="admin", password="s3cret:x"
    )
    server.start()
    yield server
    server.stop()


def start_camera(
    url: str, environ: dict[str, str], *, auth: str = "digest"
) -> tuple[CameraWorker, CollectingOutlet, Clocks, threading.Thread]:
    camera = make_camera(
        "snap-1",
        sample_fps=10.0,
        source={
            "kind": "http_snapshot",
            "url": url,
            "auth": auth,
            "username_env": "CAM_USER",
            "password_env": "CAM_PASS",
            "timeout_s": 2.0,
        },
        motion_gate={"enabled": False},
    )
    settings = IngestSettings(backoff=BackoffSettings(initial_s=0.05, max_s=0.2))
    clocks = Clocks(rng=random.Random(0))
    outlet = CollectingOutlet()
    worker = CameraWorker(
        camera, settings, outlet, clocks, lambda: build_source(camera, settings, clocks, environ=environ)
    )
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    return worker, outlet, clocks, thread


def stop(clocks: Clocks, thread: threading.Thread) -> None:
    clocks.stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_digest_auth_snapshots_arrive_at_the_sampling_rate(camera_server: SnapshotCamera) -> None:
    _worker, outlet, clocks, thread = start_camera(
        camera_server.url, {"CAM_USER": "admin", "CAM_PASS": "s3cret:x"}
    )
    try:
        wait_for(lambda: len(outlet.frames) >= 6, 10.0, "six snapshots")
    finally:
        stop(clocks, thread)
    frames = outlet.frames
    assert {f.source_kind for f in frames} == {SourceKind.HTTP_SNAPSHOT}
    gaps = [b.captured_at - a.captured_at for a, b in itertools.pairwise(frames)]
    assert 0.07 <= sum(gaps) / len(gaps) <= 0.2  # 10 fps configured
    assert (CameraState.ONLINE, "") in outlet.states()
    assert camera_server.rejected >= 1  # the digest challenge was answered


def test_wrong_credentials_give_a_clear_offline_reason(camera_server: SnapshotCamera) -> None:
    _worker, outlet, clocks, thread = start_camera(
        camera_server.url, {"CAM_USER": "admin", "CAM_PASS": "wrong"}
    )
    try:
        wait_for(
            lambda: any(s is CameraState.OFFLINE and "401" in r for s, r in outlet.states()),
            10.0,
            "an offline status naming the 401",
        )
    finally:
        stop(clocks, thread)
    reason = next(r for s, r in outlet.states() if "401" in r)
    assert (
        "refused the credentials (HTTP 401 Unauthorized; tried digest auth with CAM_USER / CAM_PASS)"
        in reason
    )
    assert "wrong" not in reason  # never the password
    assert outlet.frames == []


def test_basic_auth_works_too() -> None:
    server = SnapshotCamera(lambda: jpeg(10), username="u", password="p", scheme="basic")
    server.start()
    try:
        _worker, outlet, clocks, thread = start_camera(
            server.url, {"CAM_USER": "u", "CAM_PASS": "p"}, auth="basic"
        )
        try:
            wait_for(lambda: len(outlet.frames) >= 2, 10.0, "two snapshots")
        finally:
            stop(clocks, thread)
    finally:
        server.stop()


def test_an_unset_credential_variable_is_named_and_the_camera_stays_offline(
    camera_server: SnapshotCamera,
) -> None:
    worker, outlet, _clocks, thread = start_camera(camera_server.url, {"CAM_USER": "admin"})
    thread.join(5)
    assert worker.finished.is_set()
    assert outlet.states()[-1] == (CameraState.OFFLINE, "credential environment variable CAM_PASS is not set")


def test_corrupt_snapshots_are_counted_and_the_camera_keeps_going() -> None:
    bodies = itertools.cycle([jpeg(10), b"<html>busy</html>", jpeg(90)[:-300], jpeg(170)])
    server = SnapshotCamera(lambda: next(bodies), username="admin", password="pw")
    server.start()
    try:
        worker, outlet, clocks, thread = start_camera(server.url, {"CAM_USER": "admin", "CAM_PASS": "pw"})
        try:
            wait_for(lambda: len(outlet.frames) >= 4, 10.0, "four good snapshots")
        finally:
            stop(clocks, thread)
    finally:
        server.stop()
    assert worker.counters[Outcome.BAD_FRAMES] >= 3


def test_an_unreachable_server_is_offline_with_the_reason() -> None:
    _worker, outlet, clocks, thread = start_camera(
        "http://127.0.0.1:9/nothing", {"CAM_USER": "a", "CAM_PASS": "b"}
    )
    try:
        wait_for(
            lambda: any(s is CameraState.OFFLINE and "cannot fetch" in r for s, r in outlet.states()),
            10.0,
            "offline: connection refused",
        )
    finally:
        stop(clocks, thread)
