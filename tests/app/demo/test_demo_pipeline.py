"""The demo chain for real: a still clip of parked bikes → ingest → detect → streams → dispatch → a case on
the phone of the worker on duty, through `gridwatch run` (embedded broker, SQLite, every component)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from app.demo.casting import plan_footage
from app.demo.footage import make_footage
from app.demo.library import FootageLibrary
from dispatch.domain.states import CaseState
from dispatch.persistence.case_tables import CaseRecord
from gridwatch.config import load_site
from tests.app.demo.conftest import EXAMPLE_SITE

CAMERA = "cam-0003"
WORKER = "p-002"  # the only worker of cam-0003's micro-grid mg-xq-01
CASE_WITHIN_S = 120.0


def _demo_site(tmp_path: Path) -> Path:
    """The example site cut down to its demo camera, with a 10 s dwell, and its worker on duty all day."""
    document: dict[str, Any] = yaml.safe_load(EXAMPLE_SITE.read_text(encoding="utf-8"))
    (camera,) = [c for c in document["cameras"] if c["id"] == CAMERA]
    camera["source"]["path"] = str(tmp_path / "footage" / f"{CAMERA}.mp4")
    camera["sample_fps"] = 1.0
    camera["motion_gate"] = {"keepalive_s": 1}
    (zone,) = camera["zones"]
    (rule,) = zone["rules"]
    rule.update(dwell_s=10, clear_s=60)
    document["cameras"] = [camera]
    for roster in document["rosters"]:
        if roster["grid"] == camera["micro_grid"]:
            roster["shifts"] = [
                {"person": WORKER, "start": "00:00", "end": "12:00"},
                {"person": WORKER, "start": "12:00", "end": "00:00"},
            ]
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _case_for(database: Path) -> dict[str, Any] | None:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            row = connection.execute(
                select(
                    CaseRecord.camera_id, CaseRecord.assignee_id, CaseRecord.state, CaseRecord.object_count
                )
                .where(CaseRecord.camera_id == CAMERA)
                .limit(1)
            ).first()
    except OperationalError:  # not migrated yet, or locked for a moment
        return None
    finally:
        engine.dispose()
    return None if row is None else dict(row._mapping)


def _stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        rest, _ = proc.communicate(timeout=45)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole group: the run and its components
        rest, _ = proc.communicate(timeout=10)
    return rest


@pytest.mark.integration
@pytest.mark.slow
def test_parked_bikes_become_a_task_on_the_workers_phone(
    tmp_path: Path, shared_footage: FootageLibrary, model_built: None
) -> None:
    site_path = _demo_site(tmp_path)
    site = load_site(site_path)
    plan = plan_footage(site, shared_footage, base_dir=tmp_path)
    assert plan.demo_camera_ids == (CAMERA,)
    assert make_footage(plan, say=lambda _line: None) == 1

    started = time.monotonic()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "app.cli.main", "run", "--site", str(site_path)),
            *("--data-dir", str(tmp_path / "var"), "--broker-port", "0", "--dispatch-port", "0"),
            *("--exit-after", str(CASE_WITHIN_S + 60)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "GW_DATABASE_URL": ""},
        start_new_session=True,
    )
    output: list[str] = []
    try:
        assert proc.stdout is not None
        while not (line := proc.stdout.readline()).startswith("ready"):
            assert line, "gridwatch run ended before it was ready:\n" + "".join(output)
            output.append(line)
        phone = next(line for line in output if line.startswith("phone"))
        assert f"({WORKER}, worker on duty in mg-xq-01)" in phone, phone
        token = phone.rsplit("token=", 1)[1].strip()
        base_url = phone.split(": ", 1)[1].split("/m/", 1)[0]

        case = None
        while case is None and time.monotonic() - started < CASE_WITHIN_S and proc.poll() is None:
            time.sleep(2)
            case = _case_for(tmp_path / "var" / "gridwatch.db")
        assert case is not None, f"no case for {CAMERA} within {CASE_WITHIN_S:.0f} s"
        assert case["assignee_id"] == WORKER
        assert case["state"] == CaseState.DISPATCHED
        assert case["object_count"] >= 2

        # What the phone page shows: the worker's open tasks, read with the printed link's token.
        tasks = httpx.get(
            f"{base_url}/api/v1/me/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert tasks.status_code == 200, tasks.text
        assert [task["camera_id"] for task in tasks.json()] == [CAMERA]
    finally:
        rest = _stop(proc)
    assert proc.returncode == 0, "".join(output) + rest[-4000:]
