"""A model-free box that says how long its object had already stood (static foreground's ``stood_s``): the
dwell counts from when the object stopped, not from when the signal first reported it; never into a
cooldown, never before the rule's active window opened."""

from __future__ import annotations

from typing import Any

from tests.streams.rules.scenes import (
    BIKE,
    Obj,
    assert_timeline,
    blob,
    rules_for,
    run,
)

TRADE: dict[str, Any] = {
    "kind": "storefront_trading",
    "dwell_s": 60,
    "clear_s": 30,
    "cooldown_s": 120,
    "signal": "static_foreground",
    "static_min_fraction": 0.05,
}
PARK_STATIC: dict[str, Any] = {
    "kind": "ebike_parking",
    "dwell_s": 60,
    "clear_s": 30,
    "cooldown_s": 120,
    "static_objects": True,
    "max_box": {"width": 150, "height": 150},
}
BOARD = (600.0, 600.0, 900.0, 800.0)  # 7 % of the scenes' zone
#: Static foreground reports an object min_static_s (30 s) after it was put down, saying so.
PUT_DOWN, REPORTED, TAKEN = 20.0, 50.0, 200.0


def _stands(box: tuple[float, float, float, float], *, measured: bool) -> Any:
    def scene(t: float) -> list[Obj]:
        if REPORTED <= t < TAKEN:
            return [blob(box, stood=t - PUT_DOWN if measured else 0.0)]
        return []

    return scene


def test_a_trading_object_dwells_from_when_it_was_put_down() -> None:
    measured = run(rules_for(TRADE), _stands(BOARD, measured=True), until=300)
    assert_timeline(measured, [("new", PUT_DOWN + 60), ("end", TAKEN + 30)])
    unmeasured = run(rules_for(TRADE), _stands(BOARD, measured=False), until=300)
    assert_timeline(unmeasured, [("new", REPORTED + 60), ("end", TAKEN + 30)])


def test_a_static_two_wheeler_dwells_from_when_it_was_parked() -> None:
    found = run(rules_for(PARK_STATIC), _stands(BIKE, measured=True), until=300)
    assert_timeline(found, [("new", PUT_DOWN + 60), ("end", TAKEN + 30)])


def test_an_object_still_standing_after_its_episode_dwells_again_from_that_episode_s_end() -> None:
    """Hidden long enough to end its episode (clear_s) and back: its standing time reaches back into the
    episode, but its new dwell starts when that episode ended, and (as for a detected object) no incident
    comes before the cooldown is over."""

    def scene(t: float) -> list[Obj]:
        if REPORTED <= t < 120 or 160 <= t < 500:
            return [blob(BOARD, stood=t - PUT_DOWN)]
        return []

    found = run(rules_for(TRADE), scene, until=600)
    # first episode: new at 80, last seen 119, end at 150, cooldown until 270. Back at 160 having stood
    # 140 s: dwell from 150 (the end), met at 210, inside the cooldown: new when it is over.
    assert_timeline(found, [("new", 80), ("end", 150), ("new", 270), ("end", 500 + 30)])

    def comes_back_late(t: float) -> list[Obj]:
        if REPORTED <= t < 120 or 300 <= t < 500:
            return [blob(BOARD, stood=t - PUT_DOWN)]
        return []

    late = run(rules_for(TRADE), comes_back_late, until=600)
    # back at 300, after the cooldown: dwell from the episode's end (150) is long met: new at once
    assert_timeline(late, [("new", 80), ("end", 150), ("new", 301), ("end", 500 + 30)])


def test_standing_time_reaches_no_further_back_than_the_active_window() -> None:
    rule = {**TRADE, "active_hours": [{"start": "10:01", "end": "18:00"}]}  # the scenes start at 10:00

    def scene(t: float) -> list[Obj]:
        return [blob(BOARD, stood=t)] if 30 <= t < 400 else []  # standing since 10:00

    found = run(rules_for(rule), scene, until=500)
    # the window opens at 60 s: nothing is followed before; the first sample in it (60) starts the dwell
    assert_timeline(found, [("new", 60 + 60), ("end", 400 + 30)])
