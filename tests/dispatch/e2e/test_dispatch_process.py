"""The `gridwatch dispatch` composition root as a real process: starts on the broker and a SQLite file,
answers the API, and stops cleanly (status 0) on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gridwatch.broker import KafkaSettings
from gridwatch.runtime.ports import free_port
from tests.dispatch.core.harness import EXAMPLE_SITE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUNNER = (
    "import argparse, sys\n"
    "from app.cli import dispatch_cmd\n"
    "p = argparse.ArgumentParser(prog='gridwatch')\n"
    "dispatch_cmd.register(p.add_subparsers(dest='command', required=True))\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.handler(a))\n"
)


def test_dispatch_process_serves_and_stops_on_sigterm(kafka_broker: KafkaSettings, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "GW_KAFKA_BOOTSTRAP": kafka_broker.bootstrap_servers,
        "GW_KAFKA_EMBEDDED": "true",
        "GW_DATABASE_URL": f"sqlite:///{tmp_path / 'gw.db'}",
        "GW_DATA_DIR": str(tmp_path),
        "GW_DISPATCH_CONSUMER_GROUP": f"test-dispatch-{port}",
    }
    argv = [sys.executable, "-c", RUNNER, "dispatch", "--site", str(EXAMPLE_SITE), "--port", str(port)]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "the dispatcher did not start listening"
                time.sleep(0.2)
        assert answer.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me/tasks", timeout=5).status_code == 401
        assert (tmp_path / "dispatch.key").stat().st_mode & 0o777 == 0o600
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
