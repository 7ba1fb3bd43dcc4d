"""End to end on the team's footage (skipped where absent): a short clip composed from towncentre with one
parked bicycle (darknet's dog.jpg bicycle, from the test-asset cache) raises a parking incident in replay
with the default model, on that bicycle, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import pytest
import yaml

from replay.cache import DetectionCache
from replay.compose.labelled import read_voc
from replay.compose.library import build_library, save_library
from replay.compose.session import ComposeRequest, Setting, library_of, run_compose
from replay.footage import FootageItem
from replay.labels import read_labels
from replay.session import ReplayRequest, execute, load_candidate

CLIP = Path("/work/shared/data/footage/cctv/towncentre_1080p_10s.mp4")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"
#: The right-hand pavement of the shopping street, below the benches.
PAVEMENT = [[930, 1075], [1470, 450], [1760, 450], [1760, 1075]]
BICYCLE = "bicycle.dog.125-135-567-420"


def _site(folder: Path) -> Path:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    rule = {"kind": "ebike_parking", "dwell_s": 30, "clear_s": 20, "cooldown_s": 60, "inertia": 2}
    data["cameras"] = [
        {
            "id": "cam-tc",
            "name": "towncentre",
            "micro_grid": data["cameras"][0]["micro_grid"],
            "location": {"lat": 30.13, "lon": 119.97},
            "resolution": [1920, 1080],
            "sample_fps": 1,
            "source": {"kind": "file", "path": "towncentre.mp4"},
            "zones": [{"id": "z-right", "name": "pavement", "polygon": PAVEMENT, "rules": [rule]}],
        }
    ]
    path = folder / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_composed_parked_bicycle_raises_an_incident_on_it(tmp_path: Path) -> None:
    if not CLIP.is_file():
        pytest.skip(f"shared footage absent: {CLIP}")
    if not _assets_present() or BICYCLE not in library_of([]).cutouts:
        pytest.skip("dog.jpg is not in the test-asset cache (run `gridwatch models fetch-test-assets`)")
    site_path = _site(tmp_path)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "camera: cam-tc\nduration_s: 150\nfps: 1\nseed: 1\nepisodes:\n"
        f"  - {{id: e1, object: bicycle, cutout: {BICYCLE}, at: [1450, 950],\n"
        "      start_s: 10, duration_s: 120}\n",
        encoding="utf-8",
    )
    cache = DetectionCache(tmp_path / "cache")
    setting = Setting(site=load_candidate(site_path), camera_id="cam-tc", background=CLIP, cache=cache)
    result = run_compose(ComposeRequest(setting=setting, out=tmp_path / "clip", scenario=scenario))
    labels = read_labels(result.labels)
    outcome = execute(
        ReplayRequest(
            site_path=site_path,
            items=[FootageItem(path=result.frames, camera="cam-tc")],
            labels=labels,
            cache=cache,
        )
    )
    parking = outcome.report.per_rule["ebike_parking"]
    assert parking.matched_labels == 1, [i.model_dump() for i in outcome.report.incidents]
    assert parking.false_incidents == 0
    (incident,) = outcome.report.incidents
    assert 10 + 30 <= incident.start_offset_s <= 130  # after the dwell, while the bicycle stands
    recall = outcome.report.object_recall
    assert recall is not None and recall.samples == 120 and recall.detected > 0


def _assets_present() -> bool:
    from detectors.models.cache import asset_cache_dir

    return (asset_cache_dir() / "dog.jpg").is_file()


TRADING_SITE = (
    Path(__file__).resolve().parents[2] / "replay" / "compose" / "examples" / "towncentre-trading.yaml"
)
ABOARD_LABELS = TRADING_SITE.parent / "towncentre-aboards"


@pytest.mark.slow
def test_a_composed_a_board_beyond_the_shop_front_raises_a_trading_incident(tmp_path: Path) -> None:
    """One of the clip's own A-boards (cut out of its frame 210 with the box we labelled) placed in the shop
    front's strip after the background model's warm-up, on a pavement people keep walking past: static
    foreground finds it and the storefront rule raises one incident on it; nothing else."""
    if not CLIP.is_file():
        pytest.skip(f"shared footage absent: {CLIP}")
    frames = tmp_path / "aboards"
    frames.mkdir()
    capture = cv2.VideoCapture(str(CLIP))
    capture.set(cv2.CAP_PROP_POS_FRAMES, 210)
    ok, image = capture.read()
    capture.release()
    assert ok
    cv2.imwrite(str(frames / "towncentre_f210.jpg"), image)
    boards = [
        o
        for o in read_voc(frames, ABOARD_LABELS, licence="team-internal", origin="towncentre clip")
        if o.class_name == "a_board"
    ]
    assert len(boards) == 2
    save_library(build_library(boards), tmp_path / "lib")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "camera: cam-tc\nduration_s: 250\nfps: 1\nseed: 1\nepisodes:\n"
        "  - {id: e1, object: a_board, at: [443, 522], start_s: 70, duration_s: 170}\n",
        encoding="utf-8",
    )
    cache = DetectionCache(tmp_path / "cache")
    setting = Setting(
        site=load_candidate(TRADING_SITE),
        camera_id="cam-tc",
        background=CLIP,
        cutouts=[tmp_path / "lib"],
        cache=cache,
    )
    result = run_compose(ComposeRequest(setting=setting, out=tmp_path / "clip", scenario=scenario))
    outcome = execute(
        ReplayRequest(
            site_path=TRADING_SITE,
            items=[FootageItem(path=result.frames, camera="cam-tc")],
            labels=read_labels(result.labels),
            cache=cache,
        )
    )
    trading = outcome.report.per_rule["storefront_trading"]
    assert trading.matched_labels == 1, [i.model_dump() for i in outcome.report.incidents]
    assert trading.false_incidents == 0
    (incident,) = outcome.report.incidents
    # the dwell (60 s) counts from when the board was put down (static foreground says how long it had
    # stood when it first reported it, min_static_s later), never earlier; the bound is dwell + 15 s
    assert 70 + 60 <= incident.start_offset_s <= 70 + 60 + 15
