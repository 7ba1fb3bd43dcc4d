"""Background loops: each runs one step on its own thread, when woken and every ``poll_s`` seconds.

The dispatch process runs three (see :mod:`dispatch.core`): the timer scheduler, the delivery worker and the
outbox relay. Each has its own thread, so a slow step in one (a push service that answers after 20 s, a
broker that is down) never delays another: deadlines fire on time whatever the phones and the broker do. A
failing step is logged and tried again on the next round; it never ends the loop.

:meth:`BackgroundLoop.run_round` wakes a loop and waits until a round that began after the call has ended:
what tests use to drive the very loops the process runs, instead of calling the steps themselves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class LoopStoppedError(RuntimeError):
    """The loop is not running, so the round waited for will never come."""


class BackgroundLoop:
    """``step`` on a thread named ``name``: once at start, then whenever woken, and every ``poll_s``."""

    def __init__(self, name: str, step: Callable[[], object], poll_s: float) -> None:
        if poll_s <= 0:
            raise ValueError(f"poll_s must be positive, got {poll_s}")
        self.name = name
        self._step = step
        self._poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._rounds = threading.Condition()
        self._started = 0
        self._finished = 0
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the loop's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Ask for a round now (safe from any thread; a no-op for the caller, who never waits)."""
        self._wake.set()

    def start(self) -> None:
        """Start the thread (its first round runs at once: work left from before is picked up)."""
        if self._thread is not None:
            raise RuntimeError(f"loop {self.name} is already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop after the round in progress, waiting at most ``timeout_s`` for it; safe to call twice."""
        thread = self._thread
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout=timeout_s)
            if thread.is_alive():
                log.warning("loop %s did not finish its round within %.0f s", self.name, timeout_s)
        self._thread = None
        with self._rounds:
            self._rounds.notify_all()

    def run_round(self, timeout_s: float = 30.0) -> None:
        """Wake the loop and wait until a round that started after this call has finished.

        Raises :class:`TimeoutError` when none did within ``timeout_s`` and :class:`LoopStoppedError` when the
        loop is not running.
        """
        if not self.running:
            raise LoopStoppedError(f"loop {self.name} is not running")
        with self._rounds:
            target = self._started + 1
        self.wake()
        with self._rounds:
            done = self._rounds.wait_for(
                lambda: self._finished >= target or self._stop.is_set(), timeout=timeout_s
            )
            if self._finished >= target:
                return
        if not done:
            raise TimeoutError(f"loop {self.name} did not finish a round within {timeout_s} s")
        raise LoopStoppedError(f"loop {self.name} stopped before finishing the round")

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._rounds:
                self._started += 1
            try:
                self._step()
            except Exception:
                log.exception("%s: the round failed; trying again in %.1f s", self.name, self._poll_s)
            finally:
                with self._rounds:
                    self._finished += 1
                    self._rounds.notify_all()
            self._wake.wait(self._poll_s)
