"""Tracking at 0.2-2 fps: parked objects and jumping people keep their ids; the state stays bounded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from detectors.detections import Detections
from detectors.tracking.camera_tracker import CameraTracker
from detectors.tracking.registry import TrackerRegistry
from detectors.tracking.settings import TrackerSettings

NAMES = ("person", "bicycle")
PERSON, BICYCLE = 0, 1


def _dets(
    boxes: Sequence[tuple[float, float, float, float]], classes: Sequence[int] | None = None
) -> Detections:
    return Detections(
        xyxy=np.array(boxes, np.float32).reshape(-1, 4),
        class_id=np.array(classes if classes is not None else [PERSON] * len(boxes), np.int64),
        score=np.full(len(boxes), 0.8, np.float32),
        class_names=NAMES,
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_parked_bicycle_keeps_its_id_through_detector_jitter_at_0_2_fps() -> None:
    tracker = CameraTracker(TrackerSettings())
    rng = np.random.default_rng(1)
    ids = []
    for step in range(20):  # one sample every 5 s for 100 s
        jitter = rng.normal(0, 2.0, 4)
        x1, y1, x2, y2 = (float(v) for v in np.array([400, 300, 480, 360]) + jitter)
        box = (x1, y1, x2, y2)
        ids.append(int(tracker.update(_dets([box], [BICYCLE]), captured_at=5.0 * step).track_id[0]))
    assert set(ids) == {ids[0]}


def test_a_walking_person_jumping_two_box_widths_between_samples_keeps_its_id() -> None:
    tracker = CameraTracker(TrackerSettings())
    # a 40 x 100 px person walking 60 px/s, sampled every 2 s (0.5 fps): 120 px per sample, no overlap
    ids = [
        int(
            tracker.update(_dets([(100 + 120 * i, 200, 140 + 120 * i, 300)]), captured_at=2.0 * i).track_id[0]
        )
        for i in range(6)
    ]
    assert ids == [1] * 6


def test_two_people_passing_each_other_keep_their_own_ids() -> None:
    tracker = CameraTracker(TrackerSettings())
    left_to_right = [(100 + 80 * i, 200, 140 + 80 * i, 300) for i in range(6)]
    right_to_left = [(600 - 80 * i, 220, 640 - 80 * i, 320) for i in range(6)]
    seen = [
        tracker.update(_dets([a, b]), captured_at=1.0 * i).track_id.tolist()
        for i, (a, b) in enumerate(zip(left_to_right, right_to_left, strict=True))
    ]
    assert all(ids == [1, 2] for ids in seen), seen


def test_far_jumps_classes_and_expiry_make_new_tracks() -> None:
    settings = TrackerSettings(max_age_s=10.0)
    tracker = CameraTracker(settings)
    assert tracker.update(_dets([(100, 100, 140, 200)]), 0.0).track_id.tolist() == [1]
    # 1 s later, 800 px away: beyond (0.5 + 2.0 * 1 s) box sizes of reach
    assert tracker.update(_dets([(900, 100, 940, 200)]), 1.0).track_id.tolist() == [2]
    # same place as track 2 but another class: not the same object
    assert tracker.update(_dets([(900, 100, 940, 200)], [BICYCLE]), 2.0).track_id.tolist() == [3]
    # track 3 unseen for more than max_age_s: a sighting at the same place is a new track
    assert tracker.update(_dets([(900, 100, 940, 200)], [BICYCLE]), 13.0).track_id.tolist() == [4]
    assert tracker.track_count == 1


def test_time_going_backwards_starts_afresh_and_empty_frames_are_fine() -> None:
    tracker = CameraTracker(TrackerSettings())
    tracker.update(_dets([(100, 100, 140, 200)]), 100.0)
    assert len(tracker.update(_dets([]), 101.0)) == 0
    assert tracker.update(_dets([(100, 100, 140, 200)]), 50.0).track_id.tolist() == [2]
    assert tracker.track_count == 1


def test_registry_keeps_cameras_apart_and_drops_quiet_and_moved_cameras() -> None:
    clock = FakeClock()
    registry = TrackerRegistry(TrackerSettings(camera_idle_s=60.0), clock)
    box = [(100.0, 100.0, 140.0, 200.0)]
    assert registry.update("a", _dets(box), 0.0).track_id.tolist() == [1]
    assert registry.update("b", _dets([*box, (300, 100, 340, 200)]), 0.0).track_id.tolist() == [1, 2]
    assert registry.update("a", _dets(box), 1.0).track_id.tolist() == [1]
    clock.now = 50.0
    registry.update("b", _dets(box), 50.0)
    clock.now = 70.0  # "a" quiet for 70 s, "b" for 20 s
    assert registry.evict_idle() == ["a"]
    assert "a" not in registry and "b" in registry
    registry.drop(["b"])
    assert len(registry) == 0
    assert registry.update("b", _dets(box), 71.0).track_id.tolist() == [1]  # fresh state


@pytest.mark.parametrize("cameras", [10, 50])
def test_registry_memory_is_bounded_by_max_cameras(cameras: int) -> None:
    clock = FakeClock()
    registry = TrackerRegistry(TrackerSettings(max_cameras=8), clock)
    for index in range(cameras):
        clock.now = float(index)
        registry.update(f"cam-{index}", _dets([(0, 0, 10, 10)]), float(index))
    assert len(registry) == 8
    assert f"cam-{cameras - 1}" in registry and "cam-0" not in registry
