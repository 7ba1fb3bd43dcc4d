"""Decoys in the composer: street furniture (a wheelie bin, a post box) that stands in a zone for long and is
no offence. On the synthetic camera of ``compose_scene.py``: ``--auto`` gives each decoy its own slot of 2-3
dwells in a watching zone, the same seed the same decoys; a decoy is drawn for its whole interval and only
then, is in the manifest and never in labels.csv; an object the zone's rule watches is refused as a decoy.
And the built-in library cuts Tux Paint's street furniture out by its own transparency, as kind ``other``."""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import replay_cmd
from gridwatch.config import Camera, parse_site
from replay.compose.auto import EPISODE_DWELLS, auto_scenario, decoy_classes
from replay.compose.background import Background, load_background
from replay.compose.composer import compose
from replay.compose.labelled import LabelledObject
from replay.compose.library import CutoutLibrary, build_library, save_library
from replay.compose.perspective import PerspectiveFit, manual_perspective
from replay.compose.plan import DECOY_INSIDE, Planner, plan
from replay.compose.spec import Decoy, Episode, Scenario
from replay.errors import ReplayError
from replay.labels import read_labels
from streams.rules.geometry import box_polygon_area
from tests.replay import compose_scene as scene

START = "2026-03-02T10:00:00+08:00"
DWELL, CLEAR = 4.0, 2.0  # compose_scene's parking zones (cooldown 0)
BIN_FOOT = (240.0, 140.0)  # in zone z-b, the bin's box above the passer-by's rows (150-210)


@dataclass
class World:
    folder: Path
    camera: Camera
    background: Background
    library: CutoutLibrary
    clip: Path


def _bin_photo(path: Path) -> LabelledObject:
    """A green bin (60 x 100) on a transparent picture: cut out by its own alpha, class wheelie_bin."""
    photo = np.zeros((100, 60, 4), np.uint8)
    photo[:, 4:56] = (40, 160, 40, 255)
    photo[:8, :] = (30, 120, 30, 255)  # the lid
    cv2.imwrite(str(path), photo)
    return LabelledObject(
        image=path, box=(0.0, 0.0, 60.0, 100.0), class_name="wheelie_bin", licence="test-made",
        origin="test_compose_decoys",
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("decoys")
    clip = scene.write_background(folder / "street.mp4")
    camera = parse_site(scene.site_yaml(dwell_s=DWELL, clear_s=CLEAR)).camera("cam-s")
    library = scene.library(folder).merged(build_library([_bin_photo(folder / "bin.png")]))
    return World(folder, camera, load_background(clip, step_s=0.5), library, clip)


def _perspective() -> PerspectiveFit:
    return manual_perspective(scene.PERSPECTIVE, (scene.WIDTH, scene.HEIGHT))


def test_auto_decoys_stand_for_dwells_in_their_own_slot_of_a_watching_zone(world: World) -> None:
    """Each decoy stands 2-3 dwells in a zone watching the episodes' objects; in each zone nothing else
    stands while it does, and the zone has its clear time after it (its incident must end before the next
    thing, or the two would merge); the same seed gives the same decoys, at the same places."""
    scenario = auto_scenario(world.camera, world.library, episodes=2, decoys=3, duration_s=240, fps=1, seed=4)
    assert [x.id for x in scenario.decoys] == ["x1", "x2", "x3"]
    assert {x.object for x in scenario.decoys} == {"wheelie_bin"}  # the episodes stay bicycles
    assert {e.object for e in scenario.episodes} == {"bicycle"}
    for decoy in scenario.decoys:
        assert decoy.zone in ("z-a", "z-b")
        assert EPISODE_DWELLS[0] * DWELL <= decoy.duration_s <= EPISODE_DWELLS[1] * DWELL + 0.1
        assert decoy.end_s <= 240 - 10
    for zone in ("z-a", "z-b"):
        things = sorted(
            [(e.start_s, e.end_s) for e in scenario.episodes if e.zone == zone]
            + [(d.start_s, d.end_s) for d in scenario.distractors if d.zone == zone]
            + [(x.start_s, x.end_s) for x in scenario.decoys if x.zone == zone]
        )
        for (_s, end), (start, _e) in itertools.pairwise(things):
            assert start >= end + CLEAR, (zone, things)
    again = auto_scenario(world.camera, world.library, episodes=2, decoys=3, duration_s=240, fps=1, seed=4)
    assert again == scenario
    perspective = _perspective()
    first = [(p.name, p.path) for p in plan(scenario, world.camera, world.library, perspective)]
    second = [(p.name, p.path) for p in plan(again, world.camera, world.library, perspective)]
    assert first == second
    other = auto_scenario(world.camera, world.library, episodes=2, decoys=3, duration_s=240, fps=1, seed=5)
    assert [x.start_s for x in other.decoys] != [x.start_s for x in scenario.decoys]
    # the first episode is drawn before any decoy: the same without decoys
    plain = auto_scenario(world.camera, world.library, episodes=2, duration_s=240, fps=1, seed=4)
    assert plain.decoys == () and plain.episodes[0] == scenario.episodes[0]
    with pytest.raises(ReplayError, match=r"2 episodes, 2 distractors and 30 decoys need about"):
        auto_scenario(world.camera, world.library, episodes=2, decoys=30, duration_s=240, fps=1, seed=4)


def test_a_decoy_stands_its_interval_is_in_the_manifest_and_never_labelled(world: World) -> None:
    decoy = Decoy(id="x1", object="wheelie_bin", at=BIN_FOOT, start_s=3, duration_s=9)
    episode = Episode(id="e1", object="bicycle", at=(80.0, 200.0), start_s=2, duration_s=10)
    scenario = Scenario(
        camera="cam-s", duration_s=16, fps=2, seed=3, start=START, episodes=(episode,), decoys=(decoy,)
    )
    result = compose(
        scenario, world.camera, world.background, world.library, _perspective(),
        world.folder / "one",
    )  # fmt: skip
    assert [label.note.split()[0] for label in read_labels(result.labels)] == ["e1"]
    manifest = json.loads(result.manifest.read_text())
    (placed,) = [p for p in manifest["placed"] if p["name"] == "x1"]
    assert placed["role"] == "decoy" and placed["labelled"] is False and placed["zone"] == "z-b"
    assert (placed["start_s"], placed["end_s"]) == (3, 12)
    assert manifest["scenario"]["decoys"][0]["object"] == "wheelie_bin"
    assert {s["class_name"]: s["mask"] for s in manifest["sources"]}["wheelie_bin"] == "alpha"
    x1, y1, x2, y2 = (round(v) for v in placed["box"])
    assert ((x1 + x2) / 2, y2) == pytest.approx(BIN_FOOT, abs=1)
    plate = world.background.plate.astype(np.int16)

    def green(index: int) -> float:
        image = cv2.imread(str(result.frames / f"{index:06d}.jpg"))
        assert image is not None
        inside = image.astype(np.int16)[y1 + 2 : y2 - 2, x1 + 3 : x2 - 3]
        return float((inside[..., 1] - plate[y1 + 2 : y2 - 2, x1 + 3 : x2 - 3, 1]).mean())

    assert all(green(i) > 15 for i in (6, 12, 23)), "the bin stands from 3 s to 12 s (2 fps)"
    assert all(abs(green(i)) < 5 for i in (0, 5, 24, 31)), "the street before and after"


def test_a_decoy_stands_with_at_least_half_of_itself_inside_its_zone(world: World) -> None:
    """A rule counting a zone's still pixels sees only the part of a blob inside the zone's polygon: a decoy
    set down by the seed has at least half its box in its zone, where a plain placement of the same bin
    (base in the zone) sometimes has most of it above the zone's far edge."""
    perspective = _perspective()
    zone = world.camera.zone("z-a")
    decoy = Decoy(id="x1", object="wheelie_bin", zone="z-a", start_s=1, duration_s=10)
    decoys, plain = [], []
    for seed in range(30):
        scenario = Scenario(camera="cam-s", duration_s=16, fps=2, seed=seed, start=START, decoys=(decoy,))
        (placed,) = plan(scenario, world.camera, world.library, perspective)
        box = placed.box_at(1, perspective)
        decoys.append(box_polygon_area(box, zone.polygon) / ((box[2] - box[0]) * (box[3] - box[1])))
        planner = Planner(scenario, world.camera, world.library, perspective)
        point = planner.place_in(zone, placed.cutout, placed.height_ratio, 1, 11)
        other = dataclasses.replace(placed, path=(point, point)).box_at(1, perspective)
        plain.append(box_polygon_area(other, zone.polygon) / ((other[2] - other[0]) * (other[3] - other[1])))
    assert min(decoys) >= DECOY_INSIDE
    assert min(plain) < DECOY_INSIDE, "without the condition some places leave most of the bin outside"


def test_an_object_the_zone_s_rule_watches_is_refused_as_a_decoy(world: World) -> None:
    with pytest.raises(ReplayError, match=r"decoy class 'bicycle' is a two_wheeler, which the rules of zone"):
        auto_scenario(
            world.camera, world.library, episodes=1, decoys=1, decoy_objects=["bicycle"], duration_s=240,
            fps=1, seed=1,
        )  # fmt: skip
    bike = Decoy(id="x1", object="bicycle", zone="z-a", start_s=1, duration_s=5)
    scenario = Scenario(camera="cam-s", duration_s=16, fps=2, start=START, decoys=(bike,))
    with pytest.raises(ReplayError, match=r"decoy x1: zone z-a has a rule watching two_wheeler"):
        plan(scenario, world.camera, world.library, _perspective())
    no_furniture = scene.library(world.folder)
    assert decoy_classes(no_furniture) == []
    with pytest.raises(ReplayError, match="no street furniture for decoys"):
        auto_scenario(world.camera, no_furniture, episodes=1, decoys=1, duration_s=240, fps=1, seed=1)


def test_the_cli_places_decoys_with_auto_and_refuses_them_otherwise(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_library(world.library, tmp_path / "lib")
    (tmp_path / "site.yaml").write_text(scene.site_yaml(dwell_s=DWELL, clear_s=CLEAR), encoding="utf-8")
    parser = argparse.ArgumentParser(prog="gridwatch")
    replay_cmd.register(parser.add_subparsers(dest="command"))
    base = ["replay", "compose", "--site", str(tmp_path / "site.yaml"), "--camera", "cam-s",
            "--background", str(world.clip), "--cutouts", str(tmp_path / "lib"),
            "--perspective", scene.PERSPECTIVE, "--quiet", "--duration", "2m"]  # fmt: skip
    out = str(tmp_path / "o")
    args = parser.parse_args([*base, "--auto", "1", "--objects", "bicycle", "--decoys", "2",
                              "--decoy-objects", "wheelie_bin", "--seed", "7", "--out", out])  # fmt: skip
    capsys.readouterr()
    assert args.handler(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["episodes"], summary["distractors"], summary["decoys"]) == (1, 1, 2)
    assert len(read_labels(tmp_path / "o" / "labels.csv")) == 1
    roles = [p["role"] for p in json.loads((tmp_path / "o" / "manifest.json").read_text())["placed"]]
    assert roles.count("decoy") == 2
    (tmp_path / "s.yaml").write_text(f"camera: cam-s\nduration_s: 6\nfps: 1\nstart: '{START}'\n")
    args = parser.parse_args([*base, "--scenario", str(tmp_path / "s.yaml"), "--decoys", "1",
                              "--out", str(tmp_path / "p")])  # fmt: skip
    assert args.handler(args) == 2
    assert "--decoys goes with --auto" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args([*base, "--auto", "1", "--decoys", "-1", "--out", str(tmp_path / "q")])
    assert "must be 0 or more" in capsys.readouterr().err


def test_the_built_in_library_has_tux_paint_s_street_furniture_as_decoys() -> None:
    """Tux Paint's photographic wheelie bin, dustbin, compost bin, post boxes and road cone (test-asset
    cache): cut out by their own transparency, standing on their bottom edge, of kind ``other`` (no rule
    watches them), at their real heights."""
    from replay.compose.builtin import DECOYS, builtin_objects, street_furniture
    from replay.compose.sizes import PERSON_HEIGHT_M, kind_of, object_class

    objects, missing = street_furniture()
    if missing:
        pytest.skip(
            f"Tux Paint stamps absent ({', '.join(missing)}): run `gridwatch models fetch-test-assets`"
        )
    everything, _ = builtin_objects()
    assert {o.class_name for o in objects} <= {o.class_name for o in everything}
    assert all(o.licence == "GPL-2.0-or-later" and "tuxpaint-stamps-default" in o.origin for o in objects)
    library = build_library(objects)
    assert not library.skipped and len(library.cutouts) == len(DECOYS)
    assert decoy_classes(library) == sorted(c for _stem, c, _member in DECOYS)
    for cutout in library.cutouts.values():
        alpha = cutout.rgba[..., 3]
        assert cutout.method == "alpha" and kind_of(cutout.class_name).value == "other"
        edges = (alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1])
        assert all((edge > 127).any() for edge in edges), "the box is tight: it stands on its bottom edge"
        assert 0.3 < (alpha > 127).mean() < 0.95
    metres = {}
    for name in ("wheelie_bin", "garbage_can", "post_box"):
        known = object_class(name)
        assert known is not None
        metres[name] = round(known.height_ratio * PERSON_HEIGHT_M, 1)
    assert metres == {"wheelie_bin": 1.0, "garbage_can": 0.9, "post_box": 1.4}
