"""`gridwatch config check` and `gridwatch site generate` through the real command line entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from tests.gridwatch.config.site_text import line_containing, mutate

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "site.yaml"


def test_check_valid_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 清溪镇")
    assert "4 community grids, 12 micro-grids, 40 cameras," in out


def test_check_reports_each_problem_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = mutate(
        "    zones:\n      - id: z-1\n        name: 人行道",
        "    zonez:\n      - id: z-1\n        name: 人行道",
    )
    text = mutate("handle_within_h: 4}", "handle_within_h: 0}", text)
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["config", "check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines == [
        f"{path}:{line_containing(text, 'zonez')}: cameras[0].zonez: unknown field",
        f"{path}:{line_containing(text, 'handle_within_h: 0')}: event_classes[1].handle_within_h: "
        "time limit must be more than 0 working hours, got 0",
    ]


def test_check_invalid_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site.yaml"
    text = mutate("    name: 人民路口\n", "    name: 人民路口: 东\n")
    path.write_text(text, encoding="utf-8")
    assert main(["config", "check", str(path)]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"{path}:{line_containing(text, '人民路口: 东')}: invalid YAML: ")


def test_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nowhere.yaml"
    assert main(["config", "check", str(path)]) == 2
    assert f"{path}: no such file" in capsys.readouterr().err


def test_generate_writes_a_valid_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sites" / "full.yaml"
    args = ["site", "generate", "--cameras", "120", "--micro-grids", "20", "--seed", "3", "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["config", "check", str(out)]) == 0
    assert "2 community grids, 20 micro-grids, 120 cameras" in capsys.readouterr().out


def test_generate_to_stdout_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["site", "generate", "--cameras", "10", "--micro-grids", "3", "--seed", "9"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    assert "cam-0010" in first


def test_generate_rejects_zero_micro_grids(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["site", "generate", "--micro-grids", "0"])
    assert exited.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_check_names_a_model_the_catalogue_does_not_have(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = mutate(
        "      - id: z-1\n        name: 人行道",
        "      - id: z-1\n        model: yolo-town\n        name: 人行道",
    )
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["config", "check", str(path)]) == 2
    error = capsys.readouterr().err
    assert (
        f"{path}: camera cam-1 zone z-1: unknown model 'yolo-town' (the catalogue has centernet-coco80"
        in error
    )
