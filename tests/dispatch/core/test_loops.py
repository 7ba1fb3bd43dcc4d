"""The background loop every dispatch loop runs on: rounds on its own thread, woken or polled, a failing round
logged and retried, a slow round in one loop never holding another."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from dispatch.loops import BackgroundLoop, LoopStoppedError

WAIT_S = 30.0
"""Deadline for conditions that hold within milliseconds (the bound only catches a stuck thread)."""


@pytest.fixture
def loops() -> Iterator[list[BackgroundLoop]]:
    started: list[BackgroundLoop] = []
    yield started
    for loop in started:
        loop.stop(timeout_s=5)


def _start(loops: list[BackgroundLoop], loop: BackgroundLoop) -> BackgroundLoop:
    loop.start()
    loops.append(loop)
    return loop


def test_run_round_waits_for_a_round_that_began_after_it(loops: list[BackgroundLoop]) -> None:
    seen: list[int] = []
    value = [0]
    loop = _start(loops, BackgroundLoop("test-reader", lambda: seen.append(value[0]), poll_s=60))

    loop.run_round(WAIT_S)
    value[0] = 1  # a change made after that round: only a later round can have seen it
    loop.run_round(WAIT_S)

    assert seen[-1] == 1  # polled once a minute: the round asked for saw the change


def test_a_failing_round_is_logged_and_the_loop_goes_on(
    loops: list[BackgroundLoop], caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def step() -> None:
        calls.append("called")
        if len(calls) == 1:
            raise ConnectionError("broker down")

    loop = _start(loops, BackgroundLoop("test-failing", step, poll_s=60))
    loop.run_round(WAIT_S)

    assert len(calls) >= 2 and loop.running
    assert "test-failing: the round failed" in caplog.text
    assert "ConnectionError: broker down" in caplog.text


def test_a_slow_round_in_one_loop_does_not_hold_another(loops: list[BackgroundLoop]) -> None:
    slow_started = threading.Event()
    release = threading.Event()

    def slow() -> None:
        slow_started.set()
        release.wait(WAIT_S)

    fast_rounds: list[str] = []
    try:
        _start(loops, BackgroundLoop("test-slow", slow, poll_s=60))
        assert slow_started.wait(WAIT_S)
        fast = _start(loops, BackgroundLoop("test-fast", lambda: fast_rounds.append("x"), poll_s=60))
        fast.run_round(WAIT_S)
        fast.run_round(WAIT_S)
        assert not release.is_set() and len(fast_rounds) >= 2  # while the slow one is still in its round
    finally:
        release.set()


def test_wake_from_another_thread_runs_a_round(loops: list[BackgroundLoop]) -> None:
    first_done = threading.Event()
    woken = threading.Event()
    rounds: list[int] = []

    def step() -> None:
        rounds.append(1)
        (first_done if len(rounds) == 1 else woken).set()

    loop = _start(loops, BackgroundLoop("test-wake", step, poll_s=60))
    assert first_done.wait(WAIT_S)
    threading.Thread(target=loop.wake).start()

    assert woken.wait(WAIT_S)  # polled once a minute: only the wake can have run the second round


def test_a_stopped_loop_is_refused_a_round() -> None:
    loop = BackgroundLoop("test-stopped", lambda: None, poll_s=60)
    with pytest.raises(LoopStoppedError, match="test-stopped is not running"):
        loop.run_round(1)
    loop.start()
    loop.stop(timeout_s=5)
    assert not loop.running
    with pytest.raises(LoopStoppedError):
        loop.run_round(1)
    with pytest.raises(ValueError, match="poll_s must be positive"):
        BackgroundLoop("test-bad", lambda: None, poll_s=0)
