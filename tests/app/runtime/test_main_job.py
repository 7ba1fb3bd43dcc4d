"""`gridwatch run` as a newcomer runs it: a real process with the embedded broker and a SQLite database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from dispatch.persistence.site_tables import Camera, Person
from gridwatch.config import load_site
from gridwatch.runtime.ports import port_taken

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "examples" / "site.yaml"


def _listening(port: int) -> bool:
    return port_taken("127.0.0.1", port)


@pytest.mark.integration
def test_run_starts_everything_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli.main",
            "run",
            "--site",
            str(SITE),
            "--broker-port",
            "0",
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "GW_DATABASE_URL": ""},
    )
    lines: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("ready"):
            break
    output = "".join(lines)
    assert any(line.startswith("ready") for line in lines), output
    port = int(next(line for line in lines if line.startswith("broker")).split()[1].rsplit(":", 1)[1])
    assert _listening(port)

    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output + rest
    assert "stopped" in rest
    assert not _listening(port), "the embedded broker outlived gridwatch run"

    site = load_site(SITE)
    engine = create_engine(f"sqlite:///{tmp_path / 'gridwatch.db'}")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Camera)) == len(site.cameras)
        assert conn.scalar(select(func.count()).select_from(Person)) == len(site.people)
    engine.dispose()


def test_run_refuses_an_invalid_site(tmp_path: Path) -> None:
    bad = tmp_path / "site.yaml"
    bad.write_text(SITE.read_text(encoding="utf-8").replace("cameras:", "camerass:", 1), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "run", "--site", str(bad), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "camerass: unknown field" in result.stderr
    assert not (tmp_path / "broker.log").exists(), "nothing should start for an invalid site"


def test_the_main_job_loops_footage_unless_told_not_to(tmp_path: Path) -> None:
    from app.runtime.main_job import MainJobOptions, component_specs
    from gridwatch.broker import KafkaSettings

    def argv(loop_footage: bool = True) -> dict[str, tuple[str, ...]]:
        options = MainJobOptions(
            site_path=SITE,
            database_url=f"sqlite:///{tmp_path / 'gw.db'}",
            data_dir=tmp_path,
            broker_port=None,
            exit_after_s=None,
            loop_footage=loop_footage,
        )
        kafka = KafkaSettings(bootstrap_servers="127.0.0.1:9")
        return {spec.name: tuple(spec.argv) for spec in component_specs(options, kafka)}

    looping = argv()
    assert looping["ingest"][-3:] == ("--site", str(SITE), "--loop-footage")
    assert all("--loop-footage" not in args for name, args in looping.items() if name != "ingest")
    assert all("--loop-footage" not in args for args in argv(loop_footage=False).values())
