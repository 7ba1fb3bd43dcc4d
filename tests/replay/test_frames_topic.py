"""A time range of gw.frames as replay footage, read from a real broker with offsets_for_times."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import Frame, FrameReason, SourceKind, encode, key_of
from gridwatch.messages.topics import FRAMES
from replay.frames_topic import FrameRange, read_frames
from replay.session import ReplayRequest, execute
from tests.replay.scene import scene_site_yaml

pytestmark = pytest.mark.integration

CAMERAS = frozenset({"cam-t", "cam-x"})


def _frame(camera: str, seq: int, at: float) -> Frame:
    image = np.full((180, 320, 3), 90 + seq, np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return Frame(
        camera_id=camera,
        seq=seq,
        captured_at=at,
        source_kind=SourceKind.FILE,
        width=320,
        height=180,
        reason=FrameReason.MOTION,
        jpeg=data.tobytes(),
    )


def _publish(producer: Any, frames: list[Frame]) -> None:
    for frame in frames:
        producer.send(
            FRAMES, key=key_of(frame), value=encode(frame), timestamp_ms=round(frame.captured_at * 1000)
        )
    producer.flush(timeout=10)


def test_a_time_range_reads_exactly_its_frames(
    kafka_broker: KafkaSettings, kafka_producer: Any, tmp_path: Path
) -> None:
    # Frames captured half an hour ago, as a recording would hold them (an odd base: no other test's frames).
    base = round(time.time()) - 1800.25
    # cam-t: one frame a second from base to base + 19; cam-x (another camera) in the same seconds.
    frames = [_frame("cam-t", i, base + i) for i in range(20)] + [
        _frame("cam-x", i, base + i) for i in range(20)
    ]
    _publish(kafka_producer, frames)

    got = read_frames(kafka_broker, FrameRange(base + 5, base + 12, frozenset({"cam-t"})))
    assert list(got) == ["cam-t"]
    assert [f.captured_at - base for f in got["cam-t"]] == [5, 6, 7, 8, 9, 10, 11]  # [start, end)
    both = read_frames(kafka_broker, FrameRange(base + 18, base + 30, CAMERAS))
    assert {camera: len(items) for camera, items in both.items()} == {"cam-t": 2, "cam-x": 2}
    # A range after the last record: Tansu answers offset 0 with timestamp -1, which means "none".
    assert read_frames(kafka_broker, FrameRange(time.time() + 10_000, time.time() + 10_100)) == {}

    site = tmp_path / "site.yaml"
    site.write_text(scene_site_yaml(), encoding="utf-8")
    outcome = execute(ReplayRequest(site_path=site, items=[], recorded=got))
    (footage,) = outcome.report.footage
    assert (footage.camera, footage.frames, footage.start) == ("cam-t", 7, base + 5)
    assert footage.seconds == pytest.approx(7.0) and outcome.report.overall.incidents == 0
