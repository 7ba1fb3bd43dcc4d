"""Stored states carry their source record; a worker resumes after the oldest one that follows something."""

from __future__ import annotations

from gridwatch.messages import DeadLetter, encode
from streams.handler import DetectionsHandler
from streams.positions import ReplayMarks, followed_position, resume_offsets
from streams.rules.engine import SiteRules
from streams.rules.state import CameraState
from streams.rules.tuning import RuleTuning
from tests.streams.rules.scenes import bike, message
from tests.streams.sites import parking_site


def _handler(marks: ReplayMarks | None = None) -> DetectionsHandler:
    rules = SiteRules(parking_site(["cam-1", "cam-2"], dwell_s=5, clear_s=4, cooldown_s=0), RuleTuning())
    return DetectionsHandler(rules, consumer_name="test", replays=marks)


def _stored(handler: DetectionsHandler, camera: str, partition: int, frames: list[bool]) -> bytes:
    state: bytes | None = None
    for t, with_bike in enumerate(frames):
        value = encode(message(t, [bike()] if with_bike else [], seq=t, camera_id=camera))
        outcome = handler.handle(
            partition=partition, offset=100 + t, key=camera.encode(), value=value, state=state
        )
        assert outcome.state is not None
        state = outcome.state
    assert state is not None
    return state


def test_a_stored_state_names_its_record_and_still_reads_as_a_state() -> None:
    stored = _stored(_handler(), "cam-1", 2, [True] * 3)
    assert followed_position(stored) == (2, 102)
    assert CameraState.from_bytes(stored).last_frame_at == message(2, []).captured_at


def test_the_oldest_followed_state_of_each_partition_sets_where_it_resumes() -> None:
    handler = _handler()
    following_early = _stored(handler, "cam-1", 0, [True] * 2)  # offset 101
    following_late = _stored(handler, "cam-2", 0, [True] * 6)  # offset 105
    idle = _stored(handler, "cam-1", 1, [False] * 2)  # says nothing about what came after it
    legacy = CameraState.from_bytes(following_early).to_bytes()  # written before states named their record
    assert followed_position(idle) is None and followed_position(legacy) is None
    assert followed_position(b"not json") is None
    assert resume_offsets([following_late, following_early, idle, legacy, None]) == {0: 102}


def test_a_replayed_record_is_not_dead_lettered_again() -> None:
    marks = ReplayMarks()
    handler = _handler(marks)
    stray = encode(message(0, [bike()], camera_id="cam-unknown"))
    marks.below[3] = 50
    replayed = handler.handle(partition=3, offset=49, key=b"cam-unknown", value=stray, state=None)
    assert replayed.dead_letter is None and replayed.state is None and not replayed.incidents
    live = handler.handle(partition=3, offset=50, key=b"cam-unknown", value=stray, state=None)
    other_partition = handler.handle(partition=4, offset=10, key=b"cam-unknown", value=stray, state=None)
    for outcome in (live, other_partition):
        assert isinstance(outcome.dead_letter, DeadLetter) and "cam-unknown" in outcome.dead_letter.reason
