"""`gridwatch demo footage` as `make run` calls it: generates what is missing and says what it did."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.cli import demo_cmd
from tests.app.demo.conftest import EXAMPLE_SITE, write_fake_samples


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gridwatch")
    demo_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def _small_site(tmp_path: Path) -> Path:
    """The example with two of its cameras: an image folder (cam-0002) and the demo camera (cam-0003)."""
    document: dict[str, Any] = yaml.safe_load(EXAMPLE_SITE.read_text(encoding="utf-8"))
    document["cameras"] = [c for c in document["cameras"] if c["id"] in ("cam-0002", "cam-0003")]
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_without_shared_footage_or_sample_photos_it_writes_synthetic_footage_and_says_no_incident_will_appear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _small_site(tmp_path)
    empty = tmp_path / "no-footage"
    empty.mkdir()
    argv = [
        *("demo", "footage", "--site", str(site), "--footage-dir", str(empty)),
        *("--sample-images", str(empty), "--base-dir", str(tmp_path)),
    ]
    assert _run(argv) == 0
    out = capsys.readouterr().out
    assert "0 camera(s) already have theirs, 2 to generate" in out
    assert "cam-0003  synthetic street (no real objects)" in out
    assert "NO INCIDENT WILL APPEAR" in out
    assert "gridwatch models fetch-test-assets" in out
    assert not (tmp_path / "var" / "footage" / "SOURCES.md").exists()
    assert (tmp_path / "var" / "footage" / "cam-0003.mp4").stat().st_size > 0
    assert len(list((tmp_path / "var" / "footage" / "cam-0002").glob("*.jpg"))) == 5

    assert _run(argv) == 0
    again = capsys.readouterr().out
    assert "2 camera(s) already have theirs, 0 to generate" in again
    assert "demo camera cam-0003: footage already at" in again


def test_with_the_sample_photos_the_demo_camera_gets_the_licensed_scene_and_its_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _small_site(tmp_path)
    empty = tmp_path / "no-footage"
    empty.mkdir()
    samples = write_fake_samples(tmp_path / "samples")
    argv = [
        *("demo", "footage", "--site", str(site), "--footage-dir", str(empty)),
        *("--sample-images", str(samples), "--base-dir", str(tmp_path)),
    ]
    assert _run(argv) == 0
    out = capsys.readouterr().out
    assert "NO INCIDENT" not in out
    assert "cam-0003  bicycles parked on a pavement, people passing (licensed sample photos)" in out
    assert "cam-0002  synthetic street (no real objects)" in out
    assert "demo camera cam-0003: bicycles from the licensed sample photo stand in its parking zone" in out
    footage = tmp_path / "var" / "footage"
    assert (footage / "cam-0003.mp4").stat().st_size > 0
    sources = (footage / "SOURCES.md").read_text(encoding="utf-8")
    for name, licence in (
        ("leuvenB.jpg", "Apache-2.0 AND BSD-3-Clause"),
        ("bus.jpg", "AGPL-3.0"),
        ("person.jpg", "GPL-3.0-or-later OR MIT OR WTFPL"),
    ):
        assert f"`{name}`" in sources and licence in sources
    assert "cam-0003" in sources


def test_bad_inputs_exit_2_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _small_site(tmp_path)
    assert _run(["demo", "footage", "--site", str(site), "--footage-dir", str(tmp_path / "nope")]) == 2
    assert "--footage-dir" in capsys.readouterr().err
    assert _run(["demo", "footage", "--site", str(site), "--sample-images", str(tmp_path / "nope")]) == 2
    assert "sample-image folder" in capsys.readouterr().err
    assert _run(["demo", "footage", "--site", str(site), "--demo-camera", "cam-0002"]) == 2
    assert "demo camera cam-0002 has source kind image_folder" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: {}\n", encoding="utf-8")
    assert _run(["demo", "footage", "--site", str(bad)]) == 2
    assert capsys.readouterr().err.strip()
