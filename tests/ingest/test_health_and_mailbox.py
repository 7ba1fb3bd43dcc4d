from __future__ import annotations

from gridwatch.messages import CameraState
from ingest.health import BadFrameWindow, CameraHealth, HealthState
from ingest.mailbox import DropOldest


def test_health_reports_only_changes() -> None:
    health = CameraHealth()
    assert health.take_change() == HealthState(CameraState.OFFLINE, "not connected yet")
    assert health.take_change() is None
    health.online()
    assert health.take_change() == HealthState(CameraState.ONLINE, "")
    health.set_condition("gop", "GOP too long")
    health.set_condition("bad_frames", "3 of 5 bad")
    assert health.take_change() == HealthState(CameraState.DEGRADED, "3 of 5 bad; GOP too long")
    health.set_condition("gop", "GOP too long")
    assert health.take_change() is None
    health.offline("refused")
    assert health.take_change() == HealthState(CameraState.OFFLINE, "refused")
    health.online()
    assert health.take_change() == HealthState(CameraState.ONLINE, "")  # conditions of the old session gone
    health.finished("all 40 images read")
    assert health.take_change() == HealthState(CameraState.FINISHED, "all 40 images read")
    health.offline("refused")  # failing is not finishing
    assert health.take_change() == HealthState(CameraState.OFFLINE, "refused")


def test_bad_frame_window_share() -> None:
    window = BadFrameWindow(4)
    for bad in (True, False, True, True, True):
        window.record(bad, "corrupt")
    assert window.counts == (3, 4)
    assert window.share == 0.75


def test_drop_oldest_never_blocks_and_returns_what_it_dropped() -> None:
    box: DropOldest[int] = DropOldest(2)
    assert box.put(1) is None
    assert box.put(2) is None
    assert box.put(3) == 1
    assert [box.pop(), box.pop(), box.pop()] == [2, 3, None]
