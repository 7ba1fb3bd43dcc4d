"""`gridwatch models eval` end to end: a fake model on a tiny data set (figures worked out by hand), the
catalogue models on licensed test photos with labels written here, and the team's photos where present."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from app.cli.main import main
from detectors.evaluation.plot import COLOURS
from detectors.models.cache import ModelFiles, asset_cache_dir
from detectors.models.registry import (
    CENTERNET_MODEL_ID,
    DEFAULT_MODEL_ID,
    SSD_MODEL_ID,
    catalogue,
    get_model_spec,
)
from tests.detectors.real_photos import TWO_WHEELERS

ENSEMBLE = f"ensemble:{CENTERNET_MODEL_ID}+{SSD_MODEL_ID}"


def _result(report: dict[str, Any], model_id: str, kind: str, iou: float) -> dict[str, Any]:
    model = next(m for m in report["models"] if m["model_id"] == model_id)
    return next(r for r in model["results"] if r["kind"] == kind and r["iou_threshold"] == iou)


def _bucket(result: dict[str, Any], name: str = "all") -> dict[str, Any]:
    return next(b for b in result["buckets"] if b["bucket"] == name)


@pytest.fixture
def fake_model(tmp_path: Path) -> Path:
    """A YOLO-layout ONNX model that finds, in every 64 x 64 image, a person (15, 10, 25, 50) 0.9, an ebike
    (37, 30, 53, 50) 0.6 and a stall (45, 6, 55, 14) 0.1 (below the YOLO decoder's 0.25)."""
    pytest.importorskip("onnx")
    from tests.detectors.yolo_onnx import anchors_output, yolo_onnx

    output = anchors_output([(20, 30, 10, 40, 0, 0.9), (45, 40, 16, 20, 1, 0.6), (50, 10, 10, 8, 2, 0.1)])
    yolo_onnx(tmp_path / "fake.onnx", output[None])
    config = tmp_path / "fake.yaml"
    config.write_text(
        "id: fake-yolo\npath: fake.onnx\nformat: yolo\n"
        "class_map:\n  kinds: {person: person, ebike: two_wheeler, stall: trading_object}\n",
        encoding="utf-8",
    )
    return config


def _tiny_coco(folder: Path) -> Path:
    """Images a, b, c (64 x 64). a: a person, a bicycle and goods where the model finds them; b: the person
    only; c: nothing."""
    folder.mkdir()
    for name in "abc":
        assert cv2.imwrite(str(folder / f"{name}.png"), np.zeros((64, 64, 3), np.uint8))
    document = {
        "images": [
            {"id": i, "file_name": f"{n}.png", "width": 64, "height": 64} for i, n in enumerate("abc")
        ],
        "annotations": [
            {"image_id": 0, "category_id": 1, "bbox": [15, 10, 10, 40]},
            {"image_id": 0, "category_id": 2, "bbox": [37, 30, 16, 20]},
            {"image_id": 0, "category_id": 3, "bbox": [45, 6, 10, 8]},
            {"image_id": 1, "category_id": 1, "bbox": [15, 10, 10, 40]},
        ],
        "categories": [
            {"id": 1, "name": "pedestrian"},
            {"id": 2, "name": "bicycle"},
            {"id": 3, "name": "goods"},
        ],
    }
    labels = folder.parent / "labels.json"
    labels.write_text(json.dumps(document), encoding="utf-8")
    return labels


def test_eval_measures_a_fake_model_and_skips_catalogue_models_that_are_not_built(
    tmp_path: Path, fake_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = _tiny_coco(tmp_path / "images")
    out = tmp_path / "out"
    argv = ["models", "eval", "--images", str(tmp_path / "images"), "--labels", str(labels)]
    argv += ["--model-config", str(fake_model), "--cache-dir", str(tmp_path / "empty-cache")]
    argv += ["--runtime", "onnxruntime", "--speed-rounds", "1", "--json", str(out / "r.json")]
    argv += ["--views", "whole"]  # the fake model answers the same boxes for any image: no tiles
    argv += ["--plot", str(out / "pr.png"), "--html", str(out / "r.html"), "--markdown", str(out / "r.md")]

    assert main(argv) == 0

    printed = capsys.readouterr()
    for model_id in catalogue():
        assert f"skipping {model_id}: not built" in printed.err
    assert "fake-yolo: 3/3 images" in printed.err
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert [m["model_id"] for m in report["models"]] == ["fake-yolo"]
    assert report["models"][0]["operating_threshold"] == pytest.approx(0.25)
    assert {s["model_id"] for s in report["skipped_models"]} == set(catalogue())
    assert [s["model_id"] for s in report["speed"]["models"]] == ["fake-yolo"]
    assert report["dataset"]["labelled"]["person"] == {"all": 2, "small": 2, "medium": 0, "large": 0}
    for iou in (0.3, 0.5):
        person = _bucket(_result(report, "fake-yolo", "person", iou))
        # found in a and b; the box in c is a false alarm: recall 2/2, precision 2/3
        assert (person["found"], person["detections"], person["false_alarms"]) == (2, 3, 1)
        assert person["precision"] == pytest.approx(2 / 3) and person["recall"] == 1.0
        bike = _bucket(_result(report, "fake-yolo", "two_wheeler", iou))
        assert (bike["found"], bike["detections"], bike["precision"]) == (1, 3, pytest.approx(1 / 3))
        trading = _result(report, "fake-yolo", "trading_object", iou)
        # the stall scores 0.1, under the operating threshold: nothing kept; but over all scores, one hit
        # among three tied boxes: precision 1/3 at recall 1, AP 1/3
        assert (_bucket(trading)["found"], _bucket(trading)["precision"]) == (0, None)
        assert _bucket(trading)["average_precision"] == pytest.approx(1 / 3)
        point = next(p for p in trading["operating_points"] if p["score_threshold"] == 0.1)
        assert (point["found"], point["false_alarms"]) == (1, 2)
        assert _bucket(_result(report, "fake-yolo", "person", iou), "large")["labelled"] == 0
    plot = cv2.imread(str(out / "pr.png"))
    assert plot is not None and plot.shape == (30 + 22 + 2 * 380, 3 * 440, 3)  # legend, 2 IoU x 3 kinds
    assert np.all(plot == COLOURS[0], axis=2).sum() > 200  # the model's curves and dots are drawn
    page = (out / "r.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page and "trading_object" in page
    # all three person boxes score 0.9: one threshold, where precision is 2/3 at recall 1, so AP is 2/3
    table = (out / "r.md").read_text(encoding="utf-8")
    assert (
        "| `fake-yolo` (0.25) | person | 0.67 | 1.00 (2/2) | 0.67 | 1.00 (2/2) | 0.67 | – | – | – | – |"
        in table
    )
    assert "fake-yolo >=0.25" in printed.out and "person" in printed.out


def test_eval_with_bad_labels_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = _tiny_coco(tmp_path / "images")
    labels.write_text(labels.read_text(encoding="utf-8").replace("[15, 10, 10, 40]", "[15, 10, 10]", 1))
    assert main(["models", "eval", "--images", str(tmp_path / "images"), "--labels", str(labels)]) == 2
    assert f"error: {labels}: annotations[0].bbox" in capsys.readouterr().err


def _built_models_or_skip() -> None:
    for model_id in (CENTERNET_MODEL_ID, SSD_MODEL_ID):
        files = ModelFiles.of(get_model_spec(model_id))
        if not files.is_built(verify=False):
            pytest.skip(f"{model_id} is not built in {files.root}: run `gridwatch models build`")


def _voc_object(name: str, box: tuple[int, int, int, int]) -> str:
    corners = "".join(f"<{k}>{v}</{k}>" for k, v in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=True))
    return f"<object><name>{name}</name><bndbox>{corners}</bndbox></object>"


# Written by looking at the photos (boxes to a few pixels): leuvenB.jpg's two bicycles against the wall,
# bus.jpg's bus and its four people (one cut by the left edge).
HAND_LABELS = {
    "leuvenB": [("bicycle", (138, 403, 197, 471)), ("bicycle", (200, 397, 262, 456))],
    "bus": [
        ("bus", (18, 230, 800, 745)),
        ("person", (50, 400, 245, 905)),
        ("person", (222, 405, 345, 860)),
        ("person", (670, 380, 810, 875)),
        ("person", (0, 550, 80, 875)),
    ],
}


@pytest.mark.slow
def test_eval_runs_every_catalogue_model_and_their_ensemble_on_real_photos(tmp_path: Path) -> None:
    _built_models_or_skip()
    images, labels = tmp_path / "images", tmp_path / "labels"
    images.mkdir()
    labels.mkdir()
    for stem, objects in HAND_LABELS.items():
        source = asset_cache_dir() / f"{stem}.jpg"
        if not source.is_file():
            pytest.skip(f"{source} is absent: run `gridwatch models fetch-test-assets`")
        shutil.copy(source, images / source.name)
        body = "".join(_voc_object(name, box) for name, box in objects)
        (labels / f"{stem}.xml").write_text(f"<annotation>{body}</annotation>", encoding="utf-8")
    out = tmp_path / "report.json"
    argv = ["models", "eval", "--images", str(images), "--labels", str(labels), "--runtime", "onnxruntime"]
    assert main([*argv, "--speed-rounds", "0", "--json", str(out)]) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    assert [m["model_id"] for m in report["models"]] == [*catalogue(), ENSEMBLE]
    assert report["dataset"]["labelled"]["two_wheeler"] == {"all": 2, "small": 0, "medium": 2, "large": 0}
    for model in report["models"]:
        bikes = _result(report, model["model_id"], "two_wheeler", 0.3)
        assert _bucket(bikes, "medium")["found"] == 2, model["model_id"]
        assert _bucket(_result(report, model["model_id"], "vehicle", 0.5))["found"] == 1, model["model_id"]
        assert _bucket(_result(report, model["model_id"], "person", 0.5))["found"] >= 3, model["model_id"]


# Measured with `gridwatch models eval` on the team's photos (ONNX Runtime, the default views: zone tiles with
# their coarse level, the whole image being the zone), two-wheelers found at IoU 0.3 at each model's operating
# threshold, of 27 (detectors/README.md); a margin of two for other runtimes.
MEASURED_FOUND = {CENTERNET_MODEL_ID: 20, SSD_MODEL_ID: 25, ENSEMBLE: 24}
MARGIN = 2
#: Issue #11's target for the default configuration: two-wheeler recall at IoU 0.3 of at least 0.9.
TARGET_RECALL = 0.9


@pytest.mark.slow
def test_team_photos_two_wheeler_recall_holds(tmp_path: Path) -> None:
    if not TWO_WHEELERS.is_dir():
        pytest.skip(f"{TWO_WHEELERS} is absent (team-internal footage)")
    _built_models_or_skip()
    out = tmp_path / "team.json"
    argv = [
        "models",
        "eval",
        "--images",
        str(TWO_WHEELERS / "images"),
        "--labels",
        str(TWO_WHEELERS / "labels_voc"),
    ]
    assert main([*argv, "--runtime", "onnxruntime", "--speed-rounds", "0", "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    found = {
        m["model_id"]: _bucket(_result(report, m["model_id"], "two_wheeler", 0.3))["found"]
        for m in report["models"]
    }
    assert _bucket(_result(report, CENTERNET_MODEL_ID, "two_wheeler", 0.3))["labelled"] == 27
    for model_id, measured in MEASURED_FOUND.items():
        assert found[model_id] >= measured - MARGIN, (model_id, found)
    best = max(MEASURED_FOUND.values())
    assert max(found.values()) >= best - MARGIN
    assert found[DEFAULT_MODEL_ID] / 27 >= TARGET_RECALL, (
        f"the default model finds {found[DEFAULT_MODEL_ID]}/27"
    )
