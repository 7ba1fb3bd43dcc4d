"""When the handler asks for a changelog write: on every change, on time while something is followed."""

from __future__ import annotations

from itertools import pairwise

from gridwatch.messages import encode
from streams.handler import DetectionsHandler
from streams.rules.engine import SiteRules
from streams.rules.tuning import RuleTuning
from tests.streams.rules.scenes import bike, message
from tests.streams.sites import parking_site


def _durable_seconds(scene: list[bool]) -> list[int]:
    rules = SiteRules(parking_site(["cam-1"], dwell_s=5, clear_s=4, cooldown_s=0), RuleTuning())
    handler = DetectionsHandler(rules, consumer_name="test")
    state: bytes | None = None
    durable: list[int] = []
    for t, with_bike in enumerate(scene):
        value = encode(message(t, [bike()] if with_bike else [], seq=t))
        outcome = handler.handle(partition=0, offset=t, key=b"cam-1", value=value, state=state)
        assert outcome.state is not None
        state = outcome.state
        if outcome.durable:
            durable.append(t)
    return durable


def test_an_idle_camera_is_written_once_not_for_time_alone() -> None:
    assert _durable_seconds([False] * 30) == [0]


def test_a_followed_object_is_written_on_changes_and_every_half_clear_time() -> None:
    durable = _durable_seconds([True] * 12)
    # the bike appears (0), is confirmed (1), the episode opens (5); between those every clear_s / 2 = 2 s
    assert {0, 1, 5} <= set(durable)
    assert all(b - a <= 2 for a, b in pairwise(durable))
