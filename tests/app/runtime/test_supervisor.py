"""The supervisor runs real child processes: restart backoff (injected clock), prefixed logs, clean stop."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest

from app.runtime.component import ComponentSpec, RestartPolicy
from app.runtime.supervisor import Supervisor

PY = sys.executable


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _poll_until(
    sup: Supervisor, out: io.StringIO, text: str, count: int = 1, timeout_s: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout_s
    while out.getvalue().count(text) < count:
        assert time.monotonic() < deadline, f"never saw {text!r} x{count} in:\n{out.getvalue()}"
        sup.poll()
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(("failures", "expected"), [(0, 0.0), (1, 1.0), (2, 2.0), (3, 4.0), (10, 30.0)])
def test_backoff_doubles_up_to_the_cap(failures: int, expected: float) -> None:
    assert RestartPolicy(initial_delay_s=1.0, max_delay_s=30.0).delay(failures) == expected


def test_crashing_component_restarts_after_its_backoff() -> None:
    out, clock = io.StringIO(), FakeClock()
    spec = ComponentSpec("crasher", (PY, "-c", "print('hello from child'); raise SystemExit(3)"))
    sup = Supervisor([spec], out=out, clock=clock, policy=RestartPolicy(initial_delay_s=1.0, max_delay_s=8.0))
    sup.start()
    try:
        _poll_until(sup, out, "exited with code 3; restarting in 1.0 s")
        assert "[crasher] hello from child" in out.getvalue()
        sup.poll()
        assert sup.restarts["crasher"] == 0, "restarted before its backoff delay passed"
        clock.now = 1.0
        sup.poll()
        assert sup.restarts["crasher"] == 1
        _poll_until(sup, out, "exited with code 3; restarting in 2.0 s")
        clock.now = 2.9
        sup.poll()
        assert sup.restarts["crasher"] == 1
        clock.now = 3.0
        sup.poll()
        assert sup.restarts["crasher"] == 2
    finally:
        sup.stop()


def test_stop_terminates_children_and_grandchildren_and_kills_the_stubborn(tmp_path: Path) -> None:
    grandchild_pid_file = tmp_path / "grandchild.pid"
    spawner = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(grandchild_pid_file)!r}, 'w').write(str(p.pid))\n"
        "print('spawned', flush=True)\n"
        "time.sleep(120)\n"
    )
    stubborn = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    out = io.StringIO()
    sup = Supervisor(
        [ComponentSpec("spawner", (PY, "-c", spawner)), ComponentSpec("stubborn", (PY, "-c", stubborn))],
        out=out,
        stop_timeout_s=0.5,
    )
    sup.start()
    _poll_until(sup, out, "[spawner] spawned")
    _poll_until(sup, out, "[stubborn] ready")
    pids = sup.pids()
    grandchild = int(grandchild_pid_file.read_text())
    sup.stop()
    assert "[stubborn] did not stop within 0.5 s; killing" in out.getvalue()
    for pid in (*[p for p in pids.values() if p is not None], grandchild):
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid), f"pid {pid} survived stop()"
    assert out.getvalue().index("[stubborn] stopping") < out.getvalue().index("[spawner] stopping"), (
        "components stop in reverse start order"
    )


def test_duplicate_component_names_are_rejected() -> None:
    spec = ComponentSpec("a", (PY, "-c", "pass"))
    with pytest.raises(ValueError, match="component names must be unique: a"):
        Supervisor([spec, spec])


@pytest.mark.parametrize(
    ("name", "argv", "message"),
    [
        ("", ("x",), "must be letters"),
        ("bad name", ("x",), "must be letters"),
        ("ok", (), "empty command line"),
    ],
)
def test_component_spec_validation(name: str, argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ComponentSpec(name, argv)


def test_a_component_waits_at_least_its_minimum_restart_delay() -> None:
    out, clock = io.StringIO(), FakeClock()
    spec = ComponentSpec("member", (PY, "-c", "raise SystemExit(1)"), min_restart_delay_s=8.0)
    sup = Supervisor([spec], out=out, clock=clock, policy=RestartPolicy(initial_delay_s=1.0))
    sup.start()
    try:
        _poll_until(sup, out, "exited with code 1; restarting in 8.0 s")
        clock.now = 7.9
        sup.poll()
        assert sup.restarts["member"] == 0, "restarted before the group session could expire"
        clock.now = 8.0
        sup.poll()
        assert sup.restarts["member"] == 1
    finally:
        sup.stop()
