"""`gridwatch broker` as a subprocess: creates the topics, exits 0 on SIGINT, leaves no tansu behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from gridwatch.broker.admin import topic_partitions
from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import TOPICS
from gridwatch.runtime.ports import free_port

pytestmark = pytest.mark.integration


def _tansu_pids(port: int) -> list[int]:
    """Processes whose command line is a tansu broker listening on ``port``."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
            status = (cmdline.parent / "status").read_text()
        except OSError:
            continue
        if "State:\tZ" in status:
            continue
        if args and args[0].endswith(b"tansu") and f"tcp://127.0.0.1:{port}".encode() in args:
            pids.append(int(cmdline.parent.name))
    return pids


def _wait_gone(port: int, timeout_s: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while (left := _tansu_pids(port)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def broker_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli.main",
            "broker",
            "--port",
            str(port),
            "--log-file",
            str(tmp_path / "b.log"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("export GW_KAFKA_BOOTSTRAP="):
            break
    assert lines and lines[-1].strip() == f"export GW_KAFKA_BOOTSTRAP=127.0.0.1:{port}", "".join(lines)
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_broker_command_creates_topics_and_stops_cleanly_on_sigint(
    broker_process: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = broker_process
    found = topic_partitions(KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}"))
    assert {spec.name: found.get(spec.name) for spec in TOPICS} == {
        spec.name: spec.partitions for spec in TOPICS
    }
    assert len(_tansu_pids(port)) == 1
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "stopping" in stdout
    assert _wait_gone(port, 0.5) == []


def test_broker_dies_with_a_killed_parent(broker_process: tuple[subprocess.Popen[str], int]) -> None:
    process, port = broker_process
    assert len(_tansu_pids(port)) == 1
    process.kill()
    process.wait(10)
    assert _wait_gone(port) == [], "tansu outlived the killed gridwatch process"


def test_topics_commands_against_a_running_broker(
    kafka_broker: KafkaSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["topics", "create", "--bootstrap", kafka_broker.bootstrap_servers]) == 0
    created = capsys.readouterr().out
    assert all(f"{spec.name}" in created for spec in TOPICS)
    assert "exists" in created
    main(["topics", "list", "--bootstrap", kafka_broker.bootstrap_servers])
    listed = capsys.readouterr().out.splitlines()
    for spec in TOPICS:
        assert any(
            line.split()[:2] == [spec.name, str(spec.partitions)] and line.endswith("ok") for line in listed
        )


def test_topics_command_names_a_bad_bootstrap(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topics", "list", "--bootstrap", "no-port"]) == 2
    assert "bootstrap server 'no-port' is not host:port" in capsys.readouterr().err
