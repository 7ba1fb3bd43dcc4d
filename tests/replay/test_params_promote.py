"""Sweep specs, parameter scopes, and promote: a reviewed diff of the site file, never a silent change."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from app.cli import replay_cmd
from gridwatch.config import load_site, parse_site
from replay.errors import ReplayError
from replay.params import parse_param, with_params
from replay.promote import promote
from replay.sweep import combinations, parse_axes, parse_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"

CAMERAS = """
cameras:
  # cam-a: rules in block style
  - id: cam-a
    name: block camera
    micro_grid: {mg}
    location: {{lat: 30.13, lon: 119.97}}
    resolution: [1920, 1080]
    sample_fps: 0.5
    source: {{kind: file, path: a.mp4}}
    zones:
      - id: z-sidewalk
        name: sidewalk
        polygon: [[100, 500], [1800, 500], [1800, 1000], [100, 1000]]
        rules:
          - kind: ebike_parking
            dwell_s: 600           # seconds a vehicle must stand
            min_count: 2
      - id: z-shop
        name: shop
        polygon: [[100, 100], [800, 100], [800, 400], [100, 400]]
        rules:
          - kind: storefront_trading
            dwell_s: 900
            clear_s: 300
  # cam-b: a rule in flow style
  - id: cam-b
    name: flow camera
    micro_grid: {mg}
    location: {{lat: 30.13, lon: 119.97}}
    resolution: [1280, 720]
    sample_fps: 0.5
    source: {{kind: file, path: b.mp4}}
    zones:
      - id: z-1
        name: paving
        polygon: [[100, 500], [1180, 470], [1180, 650], [100, 670]]
        rules: [{{kind: ebike_parking, dwell_s: 600, min_count: 3, clear_s: 120, cooldown_s: 1800}}]
"""


def site_text() -> str:
    """The example site's grids and people, with the two cameras above (comments included)."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.pop("cameras")
    micro_grid = data["grid"]["communities"][0]["micro_grids"][0]["id"]
    head = "# a test site for promote\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return head + CAMERAS.format(mg=micro_grid)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(site_text(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("dwell", "expected NAME=VALUE"),
        ("dwell=60,,120", "an empty value between commas"),
        ("dwell=abc", "'abc' is not a number"),
        ("dwell=0", "dwell_s must be positive"),
        ("inertia=1.5", "inertia is a whole number"),
        ("conf=1.5", "a confidence is between 0 and 1"),
        ("ebike_parking.conf=0.3", "conf applies to every detection"),
        ("speed=3", "unknown parameter 'speed'"),
        ("dwell=60,60", "a value repeats"),
    ],
)
def test_bad_sweep_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ReplayError, match=message):
        parse_axes([spec])


def test_combinations_and_scoped_overrides(site: Path) -> None:
    axes = parse_axes(["dwell=60,120,300", "conf=0.3,0.5"])
    assert len(combinations(axes)) == 6
    setting = parse_settings(["ebike_parking.dwell=42", "cam-a/z-shop.clear=7"])
    changed = with_params(load_site(site), setting, ["cam-a"])
    by_id = {c.id: c for c in changed.cameras}
    assert by_id["cam-a"].zone("z-sidewalk").rules[0].dwell_s == 42  # parking rule in scope
    assert by_id["cam-a"].zone("z-shop").rules[0].dwell_s == 900  # trading rule is not
    assert by_id["cam-a"].zone("z-shop").rules[0].clear_s == 7
    assert by_id["cam-a"].zone("z-sidewalk").rules[0].clear_s == 60  # the default, untouched
    assert by_id["cam-b"].zone("z-1").rules[0].dwell_s == 600  # not replayed: untouched
    assert parse_param("cam-a/z-sidewalk.dwell").scope == "cam-a/z-sidewalk"


def test_promote_shows_a_diff_of_only_the_chosen_fields_and_keeps_comments(site: Path) -> None:
    original = site.read_text(encoding="utf-8")
    new, diff = promote(site, parse_settings(["ebike_parking.dwell=120", "inertia=3"]), ["cam-b"])
    assert site.read_text(encoding="utf-8") == original  # nothing written by promote itself
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        "-        rules: [{kind: ebike_parking, dwell_s: 600, min_count: 3, clear_s: 120, cooldown_s: 1800}]",
        "+        rules: [{kind: ebike_parking, dwell_s: 120, min_count: 3, clear_s: 120, cooldown_s: 1800, "
        "inertia: 3}]",
    ]
    rule = parse_site(new).camera("cam-b").zone("z-1").rules[0]
    assert (rule.dwell_s, rule.inertia) == (120, 3)
    assert "# cam-b: a rule in flow style" in new  # comments stay


def test_promote_edits_block_style_rules_and_refuses_what_is_no_site_setting(site: Path) -> None:
    new, diff = promote(site, parse_settings(["cam-a/z-sidewalk.dwell=300", "cam-a.cooldown=60"]), None)
    assert "-            dwell_s: 600           # seconds a vehicle must stand" in diff
    assert "+            dwell_s: 300           # seconds a vehicle must stand" in diff
    assert "+            cooldown_s: 60" in diff  # a field the rule did not have is added to it
    camera = parse_site(new).camera("cam-a")
    assert camera.zone("z-sidewalk").rules[0].cooldown_s == 60
    assert camera.zone("z-shop").rules[0].cooldown_s == 60
    with pytest.raises(ReplayError, match="conf is the detector's score threshold"):
        promote(site, parse_settings(["conf=0.4"]), None)
    with pytest.raises(ReplayError, match="no rule in the site file matches"):
        promote(site, parse_settings(["cam-9999.dwell=5"]), None)
    with pytest.raises(ReplayError, match="would not be valid"):
        promote(site, parse_settings(["cam-a/z-sidewalk.min_count=1", "cam-a.inertia=99"]), None)


def test_the_promote_command_writes_only_when_asked(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="gridwatch")
    replay_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["replay", "promote", str(site), "--set", "cam-b.dwell=90"])
    assert args.handler(args) == 0
    out = capsys.readouterr()
    assert "+        rules: [{kind: ebike_parking, dwell_s: 90," in out.out and "not written" in out.err
    assert load_site(site).camera("cam-b").zone("z-1").rules[0].dwell_s == 600
    args = parser.parse_args(["replay", "promote", str(site), "--set", "cam-b.dwell=90", "--write"])
    assert args.handler(args) == 0
    assert load_site(site).camera("cam-b").zone("z-1").rules[0].dwell_s == 90
