"""SIGINT/SIGTERM set the stop flag inside the block; the handlers from before come back after it."""

from __future__ import annotations

import os
import signal
import threading
import time
from types import FrameType

import pytest

from gridwatch.runtime.stop_signals import stop_on_signals


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_sets_the_flag_and_the_old_handler_returns(signum: signal.Signals) -> None:
    seen: list[int] = []

    def before(received: int, frame: FrameType | None) -> None:
        seen.append(received)

    previous = signal.signal(signum, before)
    try:
        with stop_on_signals() as stop:
            assert not stop.is_set()
            os.kill(os.getpid(), signum)
            assert stop.wait(5), "the signal did not set the stop flag"
            assert seen == [], "the signal reached the old handler instead"
        assert signal.getsignal(signum) is before
        os.kill(os.getpid(), signum)
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert seen == [signum]
    finally:
        signal.signal(signum, previous)


def test_outside_the_main_thread_the_flag_is_only_set_by_its_owner() -> None:
    outcome: list[object] = []

    def worker() -> None:
        handler = signal.getsignal(signal.SIGTERM)
        with stop_on_signals() as stop:
            outcome.append(signal.getsignal(signal.SIGTERM) is handler)
            stop.set()
            outcome.append(stop.is_set())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5)
    assert outcome == [True, True]
