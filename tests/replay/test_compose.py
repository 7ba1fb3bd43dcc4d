"""The scenario composer on a synthetic camera (see ``compose_scene.py``): the pasted object lies where the
label says, a passer-by walks in front of it, the clip's times are the scenario's, a seed gives the same clip
twice, auto scenarios fit the zones' timing, and the probe maps recall per zone into a heatmap."""

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
from detectors.static_foreground import StaticForegroundSettings
from gridwatch.config import Camera, EbikeParkingRule, StorefrontTradingRule, parse_site
from replay.compose.auto import LEAD_S, auto_scenario, lead_s
from replay.compose.background import Background, load_background
from replay.compose.composer import ComposeResult, compose
from replay.compose.library import CutoutLibrary, build_library, load_library, save_library
from replay.compose.perspective import manual_perspective
from replay.compose.plan import plan
from replay.compose.probe import probe
from replay.compose.spec import Distractor, DistractorKind, Episode, Scenario, load_scenario
from replay.errors import ReplayError
from replay.labels import read_labels
from replay.times import parse_iso
from tests.replay import compose_scene as scene

START = "2026-03-02T10:00:00+08:00"
FOOT = (80.0, 200.0)  # in zone z-a
EPISODE = Episode(id="e1", object="bicycle", at=FOOT, start_s=2, duration_s=10)


@dataclass
class World:
    folder: Path
    camera: Camera
    background: Background
    library: CutoutLibrary
    clip: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("compose")
    clip = scene.write_background(folder / "street.mp4")
    site = parse_site(scene.site_yaml())
    background = load_background(clip, step_s=0.5)
    return World(folder, site.camera("cam-s"), background, scene.library(folder), clip)


def _scenario(seed: int = 3, **extra: object) -> Scenario:
    values: dict[str, object] = {
        "camera": "cam-s", "duration_s": 16, "fps": 2, "seed": seed, "start": START, "episodes": (EPISODE,),
    }  # fmt: skip
    values.update(extra)
    return Scenario.model_validate(values)


def _compose(world: World, name: str, scenario: Scenario) -> ComposeResult:
    perspective = manual_perspective(scene.PERSPECTIVE, (scene.WIDTH, scene.HEIGHT))
    return compose(scenario, world.camera, world.background, world.library, perspective, world.folder / name)


def _frame(result: ComposeResult, index: int) -> np.ndarray:
    image = cv2.imread(str(result.frames / f"{index:06d}.jpg"))
    assert image is not None
    return np.asarray(image, np.int16)


def test_the_background_plate_has_no_passer_by_and_the_mask_follows_them(world: World) -> None:
    plate = world.background.plate.astype(np.int16)
    assert np.abs(plate - scene.street().astype(np.int16)).mean() < 3
    frame = world.background.at(3.0)
    x = scene.blob_x(frame.t)
    rows = slice(scene.BLOB_ROWS[0] + 5, scene.BLOB_ROWS[1] - 5)
    assert frame.moving[rows, x + 5 : x + scene.BLOB_WIDTH - 5].min() > 200  # the person is moving
    assert frame.moving[:, (x + 120) % scene.WIDTH].max() == 0  # far from them nothing is
    assert world.background.period_s == pytest.approx(6.0, abs=0.1)


def test_the_pasted_object_lies_where_the_label_says(world: World) -> None:
    result = _compose(world, "one", _scenario())
    (label,) = read_labels(result.labels)
    assert (label.zone, label.rule.value, label.start, label.end) == ("z-a", "ebike_parking", 2, 12)
    assert label.box is not None
    x1, y1, x2, y2 = label.box
    assert ((x1 + x2) / 2, y2) == pytest.approx(FOOT)  # the foot point is the box's bottom centre
    # Height from the perspective: a bicycle is 0.6 of a person, 60 + (200 - 100) * 60 / 140 px here.
    assert y2 - y1 == pytest.approx(0.6 * (60 + 100 * 60 / 140), abs=0.5)
    plate = world.background.plate.astype(np.int16)
    frame = _frame(result, 18)  # t = 9 s: the object stands; the passer-by is at x 150-170, far from it
    diff = np.abs(frame - plate).max(axis=2)
    inside = diff[round(y1) + 2 : round(y2) - 2, round(x1) + 2 : round(x2) - 2]
    outside = np.ones_like(diff, bool)
    outside[max(0, round(y1) - 15) : round(y2) + 15, max(0, round(x1) - 25) : round(x2) + 25] = False
    outside[:, 140:190] = False  # the passer-by
    assert inside.mean() > 40, inside.mean()
    assert diff[outside].mean() < 6, diff[outside].mean()
    # Before it appears and after it leaves, the box shows the street.
    for index in (0, 30):  # t = 0 and 15 s: the passer-by is at x 0-20 and 150-170
        before = np.abs(_frame(result, index) - plate).max(axis=2)
        assert before[round(y1) + 2 : round(y2) - 2, round(x1) + 2 : round(x2) - 2].mean() < 8


def test_a_passer_by_walks_in_front_of_the_pasted_object(world: World) -> None:
    result = _compose(world, "occluded", _scenario())
    (label,) = read_labels(result.labels)
    assert label.box is not None
    x1, y1, x2, y2 = (round(v) for v in label.box)
    # t = 7.5 s is clip time 1.5 s: the passer-by covers x 75-95, inside the object (x 62-98), rows 150-210.
    index = 15
    source = world.background.at(7.5)
    blob = scene.blob_x(source.t)
    overlap_cols = slice(max(x1, blob) + 3, min(x2, blob + scene.BLOB_WIDTH) - 3)
    rows = slice(max(y1, scene.BLOB_ROWS[0]) + 3, min(y2, scene.BLOB_ROWS[1]) - 3)
    assert overlap_cols.stop - overlap_cols.start >= 4 and rows.stop - rows.start >= 10
    frame = _frame(result, index)
    assert frame[rows, overlap_cols].min() > 220  # bright: the person, not the dark-red object
    # The rest of the object is still drawn: the left of its red base (the street is grey).
    beside = frame[y1 + round(0.65 * (y2 - y1)) : y2 - 4, x1 + 4 : blob - 2]
    assert beside.size and (beside[..., 2] - beside[..., 1]).mean() > 40


def test_times_are_the_scenario_clock_and_a_seed_gives_the_same_clip(world: World) -> None:
    first = _compose(world, "a", _scenario(seed=5))
    again = _compose(world, "b", _scenario(seed=5))
    other = _compose(world, "c", _scenario(seed=6))
    assert first.count == 32  # 16 s at 2 fps
    times = [json.loads(p.read_text())["captured_at"] for p in sorted(first.frames.glob("*.json"))]
    start = parse_iso(START)
    assert times == pytest.approx([start + i / 2 for i in range(32)])
    same = [np.array_equal(_frame(first, i), _frame(again, i)) for i in range(0, 32, 5)]
    assert all(same)
    assert not np.array_equal(_frame(first, 10), _frame(other, 10))  # other noise and jitter
    manifest = json.loads(first.manifest.read_text())
    assert manifest["scenario"]["seed"] == 5 and manifest["perspective"]["method"] == "manual"
    assert manifest["sources"][0]["licence"] == "test-made"
    assert load_scenario(first.folder / "scenario.yaml") == _scenario(seed=5)
    assert first.preview.is_file()


def test_distractors_move_and_are_never_labelled(world: World) -> None:
    moving = Distractor(id="d1", kind=DistractorKind.MOVING_THROUGH, zone="z-b", start_s=1, duration_s=6)
    short = Distractor(id="d2", kind=DistractorKind.SHORT_STAY, zone="z-b", start_s=9, duration_s=2)
    result = _compose(world, "distract", _scenario(distractors=(moving, short)))
    assert [label.note.split()[0] for label in read_labels(result.labels)] == ["e1"]
    placed = {p.name: p for p in result.placed}
    path = placed["d1"].path
    assert path[0] != path[1] and placed["d1"].foot_at(2) != placed["d1"].foot_at(5)
    assert placed["d2"].path[0] == placed["d2"].path[1]


def test_a_labelled_episode_outside_any_watching_zone_is_refused(world: World) -> None:
    outside = Episode(id="e9", object="bicycle", at=(100.0, 60.0), start_s=1, duration_s=5)
    with pytest.raises(ReplayError, match=r"e9: point .* has no rule watching two_wheeler"):
        _compose(world, "bad", _scenario(episodes=(outside,)))


def test_auto_scenarios_keep_each_zone_clear_between_things(world: World) -> None:
    scenario = auto_scenario(world.camera, world.library, episodes=3, duration_s=180, fps=1, seed=2)
    assert len(scenario.episodes) == 3 and len(scenario.distractors) == 3
    kinds = {d.kind for d in scenario.distractors}
    assert kinds == set(DistractorKind)
    for zone in ("z-a", "z-b"):
        things = sorted(
            [(e.start_s, e.end_s, 4 + 2) for e in scenario.episodes if e.zone == zone]  # dwell 4: clear 2
            + [(d.start_s, d.end_s, 2) for d in scenario.distractors if d.zone == zone]
        )
        for (_s, end, rest), (start, _e, _r) in itertools.pairwise(things):
            assert start >= end + rest - 4  # the zone has its clear (and cooldown 0) between things
    again = auto_scenario(world.camera, world.library, episodes=3, duration_s=180, fps=1, seed=2)
    assert again == scenario
    with pytest.raises(ReplayError, match=r"need about .* lengthen --duration"):
        auto_scenario(world.camera, world.library, episodes=30, duration_s=180, fps=1, seed=2)


def test_the_probe_reports_recall_per_zone_and_paints_the_heatmap(world: World) -> None:
    perspective = manual_perspective(scene.PERSPECTIVE, (scene.WIDTH, scene.HEIGHT))
    detector = scene.LeftHalfDetector(world.background.plate)
    report = probe(
        world.camera, world.background, world.library, perspective, detector, world.folder / "probe"
    )
    zones = {z.zone: z for z in report.zones}
    assert zones["z-a"].trials > 0 and zones["z-b"].trials > 0
    assert zones["z-a"].recall == pytest.approx(1.0)  # the stand-in detector sees the left half only
    assert zones["z-b"].recall == pytest.approx(0.0)
    heat = cv2.imread(report.heatmap)
    assert heat is not None
    for zone, greener in (("z-a", True), ("z-b", False)):
        point = zones[zone].points[0]
        x1, y1, x2, y2 = (round(v) for v in point.box)
        patch = heat[y1 + 2 : y2 - 2, x1 + 2 : x2 - 2].astype(int)
        assert bool(patch[..., 1].mean() > patch[..., 2].mean()) == greener  # green found, red missed
    saved = json.loads((world.folder / "probe" / "probe.json").read_text())
    assert saved["zones"][0]["zone"] == "z-a"


def test_a_library_round_trips_through_its_folder(world: World, tmp_path: Path) -> None:
    save_library(world.library, tmp_path / "lib")
    again = load_library(tmp_path / "lib")
    ((key, cutout),) = world.library.cutouts.items()
    assert np.array_equal(again.cutouts[key].rgba, cutout.rgba)
    assert again.cutouts[key].source == cutout.source
    assert 0.2 < cutout.fill < 0.9 and cutout.method == "grabcut+see-through"
    # The mask follows the object: opaque on the red body, clear on the grey around it.
    alpha = cutout.rgba[..., 3]
    assert alpha[110, 45] > 200 and alpha[5, 5] < 30


def test_the_cli_composes_from_a_scenario_file(world: World, tmp_path: Path) -> None:
    save_library(world.library, tmp_path / "lib")
    (tmp_path / "site.yaml").write_text(scene.site_yaml(), encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text(
        f"camera: cam-s\nduration_s: 6\nfps: 1\nstart: '{START}'\n"
        "episodes:\n  - {id: e1, object: bicycle, zone: z-b, start_s: 1, duration_s: 4}\n",
        encoding="utf-8",
    )
    parser = argparse.ArgumentParser(prog="gridwatch")
    replay_cmd.register(parser.add_subparsers(dest="command"))
    base = ["replay", "compose", "--site", str(tmp_path / "site.yaml"), "--camera", "cam-s",
            "--background", str(world.clip), "--cutouts", str(tmp_path / "lib"),
            "--perspective", scene.PERSPECTIVE, "--quiet"]  # fmt: skip
    args = parser.parse_args(
        [*base, "--scenario", str(tmp_path / "scenario.yaml"), "--out", str(tmp_path / "o")]
    )
    assert args.handler(args) == 0
    assert len(list((tmp_path / "o" / "frames").glob("*.jpg"))) == 6
    assert read_labels(tmp_path / "o" / "labels.csv")[0].zone == "z-b"
    args = parser.parse_args([*base, "--auto", "2", "--duration", "5m", "--out", str(tmp_path / "p"),
                              "--objects", "chair"])  # fmt: skip
    assert args.handler(args) == 2  # no chair in the library


def test_the_contrast_mask_takes_the_object_and_leaves_the_surroundings_seen_through_it() -> None:
    """A dark wheel (a ring) and frame on a two-coloured pavement: the mask covers the ring and the frame,
    not the pavement around them nor the pavement seen through the ring."""
    from replay.compose.cutouts import contrast_mask

    rng = np.random.default_rng(4)
    image = np.where(rng.random((200, 300, 1)) < 0.5, [150, 150, 150], [120, 140, 170]).astype(np.uint8)
    cv2.circle(image, (120, 130), 40, (20, 20, 20), 8)  # the tyre
    cv2.line(image, (120, 130), (200, 90), (30, 30, 200), 6)  # the frame
    mask = contrast_mask(image, (70.0, 80.0, 220.0, 180.0))
    ring = np.zeros(image.shape[:2], np.uint8)
    cv2.circle(ring, (120, 130), 40, 255, 8)
    assert (mask[ring > 0] > 127).mean() > 0.9, "the tyre is the object's"
    assert mask[135:150, 95:110].max() < 128, "the pavement seen through the wheel is not"
    assert mask[:70].max() == 0 and mask[:, :60].max() == 0, "nothing outside the box"
    assert (mask[80:180, 70:220] > 127).mean() < 0.3


def test_a_bicycle_s_cut_out_shows_what_lies_behind_its_wheels() -> None:
    """leuvenB's first bicycle leans on a brick wall; GrabCut's mask fills its wheels with the wall. The
    cut-out takes the wall seen through them out and keeps the tyres, frame and saddle; a person's (solid)
    cut-out is left as GrabCut made it."""
    from replay.compose.builtin import builtin_objects
    from replay.compose.cutouts import cut_out, soft_mask

    objects, _missing = builtin_objects()
    bike = next((o for o in objects if o.origin.endswith("leuvenB.jpg")), None)
    person = next((o for o in objects if o.class_name == "person"), None)
    if bike is None or person is None:
        pytest.skip("the licensed sample photos are absent: run `gridwatch models fetch-test-assets`")
    read = cv2.imread(str(bike.image))
    assert read is not None
    image = np.asarray(read, np.uint8)
    cutout = cut_out(bike, image, "bike")
    assert cutout.method == "grabcut+see-through"
    x1, y1, x2, y2 = (round(v) for v in bike.box)
    grabcut = soft_mask(image, bike.box)[y1:y2, x1:x2]
    alpha = cutout.rgba[..., 3]
    # the wall inside the back wheel (the lower left of the box): opaque in GrabCut's mask, gone now
    wheel = (
        slice(round(0.62 * alpha.shape[0]), round(0.9 * alpha.shape[0])),
        slice(4, round(0.3 * alpha.shape[1])),
    )
    assert (grabcut[wheel] > 127).mean() > 0.6
    assert (alpha[wheel] > 127).mean() < 0.3
    assert (alpha > 127).mean() > 0.12, "the bicycle itself stays"
    photo = cv2.imread(str(person.image))
    assert photo is not None
    assert cut_out(person, np.asarray(photo, np.uint8), "person").method == "grabcut"


def test_pick_prefers_an_outlined_cut_out_to_a_soft_box(world: World) -> None:
    ((key, outlined),) = world.library.cutouts.items()
    boxed = dataclasses.replace(outlined, id="boxed", method="box")
    mixed = CutoutLibrary({key: outlined, "boxed": boxed})
    picks = {mixed.pick("bicycle", np.random.default_rng(seed)).id for seed in range(40)}
    assert picks == {key}  # the soft box carries its photo's background; never chosen beside an outline
    only_boxes = CutoutLibrary({"boxed": boxed})
    assert only_boxes.pick("bicycle", np.random.default_rng(0)).id == "boxed"  # a class with no outline


def test_nothing_is_placed_before_the_background_model_can_see_it() -> None:
    """A zone whose rule reads static foreground (to open episodes, or as a parking rule's support) gets
    nothing during the background model's warm-up (an object there from the first frame is street to it);
    one that reads detections only starts after the rules' inertia."""
    warmup = StaticForegroundSettings().warmup_s
    trading = {"kind": "storefront_trading", "dwell_s": 60, "static_support": False}
    for signal, lead in (
        ("static_foreground", LEAD_S + warmup),
        ("both", LEAD_S + warmup),
        ("detections", LEAD_S),
    ):
        assert lead_s(StorefrontTradingRule.model_validate({**trading, "signal": signal})) == lead
    parking = {"kind": "ebike_parking", "dwell_s": 60}
    assert (
        lead_s(EbikeParkingRule.model_validate(parking)) == LEAD_S + warmup
    )  # static support: on by default
    assert lead_s(EbikeParkingRule.model_validate({**parking, "static_support": False})) == LEAD_S


def test_a_photo_squeezed_into_another_aspect_ratio_is_widened_back_before_cutting(tmp_path: Path) -> None:
    """The same object stored once as taken and once at half its width (a landscape photo squeezed into a
    portrait frame): with ``widen`` 2 its cut-out has the true proportions again, its mask on the object; the
    library keeps the labelled box as stored, and the factor."""
    true = scene.write_photo(tmp_path / "true.png")
    photo = cv2.imread(str(true.image))
    assert photo is not None
    cv2.imwrite(str(tmp_path / "squeezed.png"), cv2.resize(photo, (photo.shape[1] // 2, photo.shape[0])))
    x1, y1, x2, y2 = true.box
    squeezed = true.model_copy(update={"image": tmp_path / "squeezed.png", "box": (x1 / 2, y1, x2 / 2, y2)})
    (plain,) = build_library([true]).cutouts.values()
    (narrow,) = build_library([squeezed]).cutouts.values()
    (widened,) = build_library([squeezed.model_copy(update={"widen": 2.0})]).cutouts.values()
    assert abs(narrow.width - plain.width / 2) <= 1
    assert abs(widened.width - plain.width) <= 2 and widened.height == plain.height
    assert widened.source.widen == 2.0 and widened.source.box == squeezed.box
    assert widened.method == "grabcut+see-through" and widened.rgba[110, widened.width // 2, 3] > 200


@pytest.mark.parametrize("bad", ["0", "-1", "11", "two"])
def test_the_cli_refuses_a_widen_factor_it_cannot_use(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="gridwatch")
    replay_cmd.register(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["replay", "cutouts", "--out", "x", "--widen", bad])
    assert "--widen" in capsys.readouterr().err


def test_the_traffic_map_marks_where_the_clip_has_passers_by(world: World) -> None:
    busy = world.background.traffic()
    lane = busy[scene.BLOB_ROWS[0] + 5 : scene.BLOB_ROWS[1] - 5, : scene.WIDTH - 60]
    above = busy[: scene.BLOB_ROWS[0] - 30]
    assert lane.mean() > 0.05 and above.max() == 0.0


def test_nothing_is_set_down_where_the_clip_has_traffic(world: World) -> None:
    """A parked object is never placed on a lane (its clip's cars would drive over it every loop): with
    traffic over the zone's lower rows, every seed sets the episode down above them; without the map some do
    not; a zone that is all lane is refused with the reason."""
    perspective = manual_perspective(scene.PERSPECTIVE, (scene.WIDTH, scene.HEIGHT))
    lane_top = 200.0

    def traffic(box: tuple[float, float, float, float]) -> float:
        return 1.0 if box[3] > lane_top else 0.0

    episode = Episode(id="e1", object="bicycle", zone="z-a", start_s=2, duration_s=10)
    scenario = _scenario(episodes=(episode,))
    feet = []
    plain_feet = []
    for seed in range(12):
        seeded = scenario.model_copy(update={"seed": seed})
        (placed,) = plan(seeded, world.camera, world.library, perspective, traffic)
        feet.append(placed.path[0][1])
        (plain,) = plan(seeded, world.camera, world.library, perspective)
        plain_feet.append(plain.path[0][1])
    assert max(feet) <= lane_top
    assert max(plain_feet) > lane_top, "the seeds do reach the lane when the map is not given"
    with pytest.raises(ReplayError, match="the zone is a lane"):
        plan(scenario, world.camera, world.library, perspective, lambda _box: 1.0)


def test_vendors_piles_of_produce_are_built_in_trading_objects_with_their_own_transparency(
    tmp_path: Path,
) -> None:
    """Tux Paint's photographic stamps of vegetables and fruit (test-asset cache) piled up as a vendor's
    goods: every pile is made the same way each time, stands on its bottom edge, is see-through around its
    items, and is cut out by its own transparency as a trading object."""
    from replay.compose.builtin import PILES, produce_piles
    from replay.compose.library import build_library
    from replay.compose.sizes import kind_of

    objects, missing = produce_piles()
    if missing:
        pytest.skip(
            f"Tux Paint stamps absent ({', '.join(missing)}): run `gridwatch models fetch-test-assets`"
        )
    assert [o.class_name for o in objects] == ["produce"] * len(PILES)
    assert all(o.licence == "GPL-2.0-or-later" and "tuxpaint-stamps-default" in o.origin for o in objects)
    first = cv2.imread(str(objects[0].image), cv2.IMREAD_UNCHANGED)
    again, _ = produce_piles()
    second = cv2.imread(str(again[0].image), cv2.IMREAD_UNCHANGED)
    assert first is not None and second is not None and np.array_equal(first, second), "deterministic"
    library = build_library(objects)
    assert len(library.cutouts) == len(PILES) and not library.skipped
    for cutout in library.cutouts.values():
        alpha = cutout.rgba[..., 3]
        assert cutout.method == "alpha" and kind_of(cutout.class_name).value == "trading_object"
        assert (alpha[-3:] > 127).any(), "it stands on its bottom edge"
        assert 0.3 < (alpha > 127).mean() < 0.9, "opaque items, transparent around and between them"
        assert alpha[0, 0] == 0 and alpha[0, -1] == 0
    # a photo with transparency but nothing opaque in the box is refused, naming the box
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), np.zeros((20, 20, 4), np.uint8))
    blank = objects[0].model_copy(update={"image": empty, "box": (0.0, 0.0, 20.0, 20.0)})
    assert "holds nothing opaque" in build_library([blank]).skipped[0]
