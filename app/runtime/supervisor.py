"""Run the pipeline's components as child processes: prefixed logs, restart with backoff, orderly stop."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, TextIO

from app.runtime.component import ComponentSpec, RestartPolicy

Clock = Callable[[], float]


@dataclass
class _Child:
    spec: ComponentSpec
    process: subprocess.Popen[str] | None = None
    started_at: float = 0.0
    failures: int = 0
    restarts: int = 0
    next_start_at: float = 0.0
    pump: threading.Thread | None = None


class Supervisor:
    """Starts components, restarts those that exit, and stops them all (reverse order) on request.

    Children run in their own process session so that a terminal's Ctrl-C reaches only the supervisor, which
    then stops them in order: SIGTERM, then SIGKILL after ``stop_timeout_s``.
    """

    def __init__(
        self,
        components: Sequence[ComponentSpec],
        *,
        policy: RestartPolicy | None = None,
        out: TextIO | None = None,
        clock: Clock = time.monotonic,
        stop_timeout_s: float = 10.0,
    ) -> None:
        names = [c.name for c in components]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"component names must be unique: {', '.join(duplicated)}")
        self._children = [_Child(spec) for spec in components]
        self._policy = policy or RestartPolicy()
        self._out = out or sys.stdout
        self._clock = clock
        self._stop_timeout_s = stop_timeout_s
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def restarts(self) -> dict[str, int]:
        return {c.spec.name: c.restarts for c in self._children}

    def pids(self) -> dict[str, int | None]:
        return {c.spec.name: (c.process.pid if c.process else None) for c in self._children}

    def start(self) -> None:
        for child in self._children:
            self._spawn(child)

    def poll(self) -> None:
        """Restart children that exited, once their backoff delay has passed."""
        now = self._clock()
        for child in self._children:
            if self._stopping:
                return
            proc = child.process
            if proc is not None and proc.poll() is not None:
                ran_for = now - child.started_at
                child.failures = 1 if ran_for >= self._policy.healthy_after_s else child.failures + 1
                delay = max(self._policy.delay(child.failures), child.spec.min_restart_delay_s)
                child.next_start_at = now + delay
                self._log(child.spec.name, f"exited with code {proc.returncode}; restarting in {delay:.1f} s")
                child.process = None
            if child.process is None and now >= child.next_start_at:
                child.restarts += 1
                self._spawn(child)

    def stop(self) -> None:
        self._stopping = True
        for child in reversed(self._children):
            proc = child.process
            if proc is None or proc.poll() is not None:
                continue
            self._log(child.spec.name, "stopping")
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=self._stop_timeout_s)
            except subprocess.TimeoutExpired:
                self._log(child.spec.name, f"did not stop within {self._stop_timeout_s:g} s; killing")
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=5)
        for child in self._children:
            if child.pump is not None:
                child.pump.join(timeout=2)

    def _spawn(self, child: _Child) -> None:
        env = {**os.environ, **child.spec.env, "PYTHONUNBUFFERED": "1"}
        child.process = subprocess.Popen(
            list(child.spec.argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,
        )
        child.started_at = self._clock()
        self._log(child.spec.name, f"started (pid {child.process.pid})")
        stream = child.process.stdout
        assert stream is not None
        child.pump = threading.Thread(
            target=self._pump, args=(child.spec.name, stream), name=f"log-{child.spec.name}", daemon=True
        )
        child.pump.start()

    def _pump(self, name: str, stream: IO[str]) -> None:
        for line in stream:
            self._log(name, line.rstrip("\n"))
        stream.close()

    def _log(self, name: str, message: str) -> None:
        with self._lock:
            self._out.write(f"[{name}] {message}\n")
            self._out.flush()


def _signal_group(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
