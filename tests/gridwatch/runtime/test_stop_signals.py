"""SIGINT/SIGTERM set the stop flag inside the block; the handlers from before come back after it.

Each case runs in a child process: a real signal sent to the test process itself would also reach whatever
earlier tests left behind there (asyncio wake-up descriptors, native thread pools).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from gridwatch.runtime.stop_signals import stop_on_signals

CHILD = """
import signal, sys, time
from gridwatch.runtime.stop_signals import stop_on_signals

signum = int(sys.argv[1])
seen = []
def before(received, frame):
    seen.append(received)
signal.signal(signum, before)
with stop_on_signals() as stop:
    print("ready", flush=True)
    print("stopped" if stop.wait(10) else "timeout", flush=True)
print("old handler back" if signal.getsignal(signum) is before else "old handler lost", flush=True)
deadline = time.monotonic() + 10
while not seen and time.monotonic() < deadline:
    time.sleep(0.01)
print(f"old handler saw {seen}", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_sets_the_flag_and_the_old_handler_returns(signum: signal.Signals) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(int(signum))],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signum)
        assert child.stdout.readline().strip() == "stopped", "the signal did not set the stop flag"
        assert child.stdout.readline().strip() == "old handler back"
        child.send_signal(signum)
        assert child.stdout.readline().strip() == f"old handler saw [{int(signum)}]"
        assert child.wait(10) == 0
    finally:
        child.kill()
        child.wait(10)


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
