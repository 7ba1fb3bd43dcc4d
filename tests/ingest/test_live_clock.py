from __future__ import annotations

import pytest

from ingest.live_clock import LiveClock


class FakeWall:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_anchors_stream_time_to_the_wall_clock_at_the_first_frame() -> None:
    wall = FakeWall(1_000.0)
    clock = LiveClock(wall, max_drift_s=5.0)
    assert clock.epoch(12.0) == 1_000.0
    wall.now = 1_001.3  # arrives late: the stream's own spacing wins
    assert clock.epoch(13.0) == pytest.approx(1_001.0)


def test_a_burst_of_buffered_frames_never_gets_future_times() -> None:
    wall = FakeWall(1_000.0)
    clock = LiveClock(wall, max_drift_s=5.0)
    times = [clock.epoch(ts) for ts in (0.5, 1.5, 2.5)]  # all arrive at once
    assert times == [1_000.0, 1_000.0, 1_000.0]
    wall.now = 1_001.0
    assert clock.epoch(3.5) == pytest.approx(1_001.0)


def test_drift_beyond_the_limit_reanchors() -> None:
    wall = FakeWall(1_000.0)
    clock = LiveClock(wall, max_drift_s=5.0)
    clock.epoch(0.0)
    wall.now = 1_100.0  # the stream's PTS stalled for 100 s (camera clock reset)
    assert clock.epoch(1.0) == 1_100.0
    assert clock.reanchors == 1
    wall.now = 1_101.0
    assert clock.epoch(2.0) == pytest.approx(1_101.0)


def test_reset_anchors_again() -> None:
    wall = FakeWall(50.0)
    clock = LiveClock(wall, max_drift_s=5.0)
    clock.epoch(10.0)
    clock.reset()
    wall.now = 60.0
    assert clock.epoch(0.0) == 60.0
