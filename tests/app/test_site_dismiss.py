"""`gridwatch site dismiss`: a dismissed spot added to the example site as a reviewed diff; the file keeps its
comments and layout; what would make the site invalid is refused, naming the problem, and nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from gridwatch.config import load_site

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    shutil.copy(EXAMPLE, path)
    return path


def test_a_spot_is_shown_as_a_diff_then_written_and_the_rest_of_the_file_stays(
    site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = site_file.read_text(encoding="utf-8")
    args = ["site", "dismiss", str(site_file), "--camera", "cam-0001", "--polygon", "100,600 300,600 300,700"]
    args += ["--rule", "ebike_parking", "--reason", "非机动车停放点", "--by", "p-041"]
    assert main(args) == 0
    diff = capsys.readouterr().out
    assert site_file.read_text(encoding="utf-8") == before  # shown, not written
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert all(line.startswith("+") for line in changed)  # only added lines: nothing else reflowed
    assert "+      - id: spot-1" in diff and "+        polygon: [[100, 600], [300, 600], [300, 700]]" in diff
    assert main([*args, "--write"]) == 0
    capsys.readouterr()
    after = site_file.read_text(encoding="utf-8")
    assert set(before.splitlines()) <= set(after.splitlines())  # every comment and line kept
    (spot,) = load_site(site_file).camera("cam-0001").exceptions
    assert (spot.id, spot.rules, spot.reason, spot.by) == (
        "spot-1",
        ("ebike_parking",),
        "非机动车停放点",
        "p-041",
    )
    assert spot.at is not None and spot.until is None
    # a second one gets the next id and lands in the same list
    assert (
        main(
            [
                *args[:6],
                "50,50 90,50 90,90",
                "--reason",
                "持证摊位",
                "--until",
                "2027-01-01T00:00+08:00",
                "--write",
            ]
        )
        == 0
    )
    capsys.readouterr()
    spots = load_site(site_file).camera("cam-0001").exceptions
    assert [s.id for s in spots] == ["spot-1", "spot-2"] and spots[1].rules == ()


def _exit_code(args: list[str]) -> int:
    """``main``'s status, also where argparse rejects an argument (it exits 2)."""
    try:
        return main(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--camera", "cam-9999", "--polygon", "1,1 5,1 5,5"], "no camera 'cam-9999'"),
        (["--camera", "cam-0001", "--polygon", "1,1 5000,1 5,5"], "lies outside the 1920x1080 image"),
        (["--camera", "cam-0001", "--polygon", "1,1 5,1 5,5", "--rule", "parking"], "rules.0"),
        (["--camera", "cam-0001", "--polygon", "1,1 5,1"], "at least 3 points"),
        (["--camera", "cam-0001", "--polygon", "1,1 5,1 5,5", "--until", "2027-01-01"], "no time zone"),
    ],
)
def test_what_would_break_the_site_is_refused_and_nothing_is_written(
    site_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str], problem: str
) -> None:
    before = site_file.read_text(encoding="utf-8")
    assert _exit_code(["site", "dismiss", str(site_file), *extra, "--reason", "x", "--write"]) == 2
    assert problem in capsys.readouterr().err
    assert site_file.read_text(encoding="utf-8") == before
