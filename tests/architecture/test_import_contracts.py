"""The layers hold: import-linter's contracts (pyproject.toml) pass on the tree, and a wrong-way import fails.

`make test` runs ``lint-imports`` itself; these tests show the contracts are not vacuous: each deliberate
violation below, planted in a copy of the packages, breaks the contract that forbids it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "replay", "detectors", "streams", "ingest", "dispatch", "gridwatch")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_tree_keeps_every_contract(tree_copy: Path) -> None:
    result = _lint(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _planted(tree: Path, module: str, line: str) -> Path:
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{line}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("module", "line", "broken", "named"),
    [
        (
            "gridwatch.messages.topics",
            "import dispatch.core  # noqa",
            "Layers: app -> replay -> components -> kernel",
            "gridwatch.messages.topics -> dispatch.core",
        ),
        (
            "detectors.worker.pipeline",
            "import replay.runner  # noqa",
            "Layers: app -> replay -> components -> kernel",
            "detectors.worker.pipeline -> replay.runner",
        ),
        (
            "streams.handler",
            "import detectors.camera_zones  # noqa",
            "Components are independent of one another",
            "streams.handler -> detectors.camera_zones",
        ),
        (
            "detectors.worker.pipeline",
            "import detectors.bench.report  # noqa",
            "The detector's runtime path imports no benchmark or model-build code",
            "detectors.worker.pipeline -> detectors.bench.report",
        ),
        (
            "gridwatch.config.models_camera",
            "import gridwatch.config.site  # noqa",
            "No import cycles between sibling modules",
            "gridwatch.config",
        ),
    ],
)
def test_a_wrong_way_import_breaks_its_contract(
    tree_copy: Path, module: str, line: str, broken: str, named: str
) -> None:
    path = _planted(tree_copy, module, line)
    original = path.read_text(encoding="utf-8").removesuffix(f"\n{line}\n")
    try:
        result = _lint(tree_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    report = result.stdout.split("Broken contracts", 1)[-1]
    assert broken in report and named in report, result.stdout
