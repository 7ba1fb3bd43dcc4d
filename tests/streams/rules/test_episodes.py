"""Episode lifecycle: active hours (midnight and window edges), clear time, cooldown, updates, revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from streams.rules.tuning import RuleTuning
from tests.streams.rules.scenes import T0, TZ, Obj, assert_timeline, at, bike, lifecycles, rules_for, run

NEW_THEN_END = [("new", 60.0), ("end", 1800.0)]  # 10:01 and 10:30
MON_NIGHT = {"days": ["mon"], "start": "22:00", "end": "06:00"}
PARK: dict[str, Any] = {
    "kind": "ebike_parking",
    "dwell_s": 60,
    "clear_s": 30,
    "cooldown_s": 300,
    "inertia": 2,
}


def _clock(hh: int, mm: int, day: int = 2) -> float:
    """Seconds after T0 (Mon 2026-03-02 10:00) of a local time on March ``day``."""
    return datetime(2026, 3, day, hh, mm, tzinfo=TZ).timestamp() - T0


@pytest.mark.parametrize(
    ("window", "parked_from", "parked_to", "expected"),
    [
        # bike there before the window opens: dwell counts from the opening, not from its arrival
        ({"start": "10:30", "end": "18:00"}, _clock(10, 0), _clock(10, 45), [("new", _clock(10, 31))]),
        # an open episode ends when the window closes
        ({"start": "08:00", "end": "10:30"}, _clock(10, 0), _clock(10, 45), NEW_THEN_END),
        # outside the window: nothing
        ({"start": "06:00", "end": "09:00"}, _clock(10, 0), _clock(10, 45), []),
        # a window across midnight: parked at 23:50 Monday, window 22:00-06:00 starting Monday
        (MON_NIGHT, _clock(23, 50), _clock(23, 58), [("new", _clock(23, 51))]),
        # ... and at 00:10 Tuesday the Monday window is still open
        (MON_NIGHT, _clock(0, 10, 3), _clock(0, 20, 3), [("new", _clock(0, 11, 3))]),
        # ... but not on the Tuesday-night window of a Monday-only rule
        (MON_NIGHT, _clock(0, 10, 4), _clock(0, 20, 4), []),
    ],
)
def test_active_hours(
    window: dict[str, Any], parked_from: float, parked_to: float, expected: list[tuple[str, float]]
) -> None:
    rules = rules_for({**PARK, "clear_s": 600, "active_hours": [window]})

    def scene(t: float) -> list[Obj]:
        return [bike()] if parked_from <= t < parked_to else []

    incidents = run(rules, scene, start=parked_from - 5, until=parked_to + 5)
    assert_timeline(incidents, expected)


def _two_visits(second_from: float, second_to: float) -> Any:
    def scene(t: float) -> list[Obj]:
        return [bike()] if t < 100 or second_from <= t < second_to else []

    return scene


@pytest.mark.parametrize(
    ("second_from", "second_to", "cooldown_s", "expected"),
    [
        # second bike inside the cooldown (episode ended at 130, cooldown until 430): nothing
        (150, 400, 300, [("new", 60), ("end", 130)]),
        # it stays past the cooldown: a new incident as soon as the cooldown is over
        (150, 500, 300, [("new", 60), ("end", 130), ("new", 430), ("end", 530)]),
        # no cooldown: new after its own dwell
        (150, 400, 0, [("new", 60), ("end", 130), ("new", 210), ("end", 430)]),
        # back before the zone was clear for clear_s: the same episode goes on
        (110, 200, 300, [("new", 60), ("end", 230)]),
    ],
)
def test_clear_and_cooldown(
    second_from: float, second_to: float, cooldown_s: float, expected: list[tuple[str, float]]
) -> None:
    incidents = run(
        rules_for({**PARK, "cooldown_s": cooldown_s}), _two_visits(second_from, second_to), until=700
    )
    assert_timeline(incidents, expected)
    ids = [i.incident_id for i in incidents]
    assert len(set(ids)) == lifecycles(incidents).count("new")


def test_updates_are_rate_limited_and_revisions_increase() -> None:
    rules = rules_for(PARK, tuning=RuleTuning(update_interval_s=120))

    def scene(t: float) -> list[Obj]:
        return [bike()] if t < 600 else []

    incidents = run(rules, scene, until=700)
    assert lifecycles(incidents) == ["new", "update", "update", "update", "update", "end"]
    assert [at(i) for i in incidents][:5] == [60, 180, 300, 420, 540]
    assert [i.revision for i in incidents] == [1, 2, 3, 4, 5, 6]
    dwell = [i.dwell_s for i in incidents]
    assert dwell == sorted(dwell)


def test_redelivered_and_out_of_order_frames_change_nothing() -> None:
    from streams.rules.state import CameraState
    from tests.streams.rules.scenes import message

    rules = rules_for(PARK)
    state = CameraState()
    for t in range(61):
        frame = message(t, [bike()], seq=t)
        first = rules.step(state, frame)
        snapshot = state.to_bytes()
        again = rules.step(state, frame)
        assert not again.applied and again.incidents == [] and state.to_bytes() == snapshot
        if t == 60:
            assert lifecycles(first.incidents) == ["new"]
    older = message(30, [], seq=99)
    assert not rules.step(state, older).applied


def test_state_survives_serialisation_between_every_frame() -> None:
    def scene(t: float) -> list[Obj]:
        return [bike()] if t < 200 or 260 <= t < 500 else []

    plain = run(rules_for({**PARK, "cooldown_s": 0}), scene, until=600)
    restored = run(rules_for({**PARK, "cooldown_s": 0}), scene, until=600, roundtrip=True)
    assert [i.model_dump() for i in plain] == [i.model_dump() for i in restored]
    assert lifecycles(plain) == ["new", "end", "new", "end"]


def test_state_stays_small_on_a_busy_street() -> None:
    """Objects passing once at random places (24 h at one sample per 10 s) must not pile up in the state."""
    import random

    from streams.rules.state import CameraState
    from tests.streams.rules.scenes import message

    rng = random.Random(3)
    rules = rules_for(PARK)
    state = CameraState()
    largest = 0
    for index in range(8640):
        x, y = rng.uniform(100, 1700), rng.uniform(450, 880)
        objects = [bike((x, y, x + 80, y + 100))]
        rules.step(state, message(index * 10.0, objects, seq=index))
        largest = max(largest, len(state.to_bytes()))
    assert len(state.zones["z-1/ebike_parking"].objects) <= 4
    assert largest < 2000
