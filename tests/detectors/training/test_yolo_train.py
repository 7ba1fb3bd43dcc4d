"""`gridwatch models train`, for real but short: one epoch from ultralytics' yolo11n.yaml (random weights) on
a handful of exported labels, offline; the exported model loads in the worker and its class map reaches the
rules. This tests the plumbing, honestly named: quality needs pretrained weights, which this machine lacks.

Skipped without the train extra (ultralytics, torch) or the licensed test assets.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli.main import main
from detectors.backends.factory import BackendChoice, open_backend
from detectors.backends.site_models import open_named_models, unknown_models
from detectors.camera_zones import SiteCameras
from detectors.models.custom import CustomModelConfig
from detectors.training.yolo_train import TrainedModel, _data_hash
from dispatch.label_export import CLASSES, ExportFormat, export_labels
from gridwatch.config import load_site
from gridwatch.detections import ObjectKind
from tests.detectors.composites import DECOYS, PILES, assets_present, background, paste
from tests.fixtures.labels import label_record

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ultralytics") is None
    or importlib.util.find_spec("torch") is None
    or not assets_present(),
    reason="needs the train extra (pip install 'gridwatch[train]') and the test assets",
)
AT = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
EXAMPLE_SITE = Path(__file__).resolve().parents[3] / "examples" / "site.yaml"


def _export(folder: Path) -> Path:
    """Eight frames through the real exporter: four produce piles (positives), four bins (negatives)."""
    rng = np.random.default_rng(4)
    street = background("leuvenB.jpg")
    frames: dict[str, bytes] = {}
    labels = []
    for n in range(8):
        positive = n % 2 == 0
        image, box = paste(street, (PILES if positive else DECOYS)[n // 2 % 4], rng)
        frames[f"f{n}"] = cv2.imencode(".jpg", image)[1].tobytes()
        labels.append(
            label_record(
                n,
                positive=positive,
                boxes=[box],
                size=(image.shape[1], image.shape[0]),
                captured_at=AT + timedelta(hours=n),
                rule="storefront_trading",
                class_code="04",
            )
        )
    export_labels(labels, folder, ExportFormat.YOLO, val_share=0.3, fetch=frames.__getitem__)
    return folder


def test_one_epoch_from_a_model_definition_exports_a_model_the_worker_runs_with_our_classes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    export = _export(tmp_path / "export")
    monkeypatch.setenv("GW_TRAINED_MODELS", str(tmp_path / "trained"))
    out = tmp_path / "trained" / "site-test"
    args = ["models", "train", "--data", str(export), "--base", "yolo11n.yaml", "--epochs", "1"]
    assert main([*args, "--imgsz", "160", "--batch", "4", "--id", "site-test", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "registered site-test" in printed
    record = TrainedModel.model_validate_json((out / "training.json").read_text())
    assert (record.parent, record.epochs, record.imgsz, record.classes) == ("yolo11n.yaml", 1, 160, CLASSES)
    assert record.data_sha256 == _data_hash(export) and "onnx" in record.formats
    assert record.seconds["train"] > 0 and any("mAP50" in key for key in record.metrics)
    assert not (out / "runs").exists() and not list(tmp_path.rglob("*.pt"))  # only the exported model stays

    config = CustomModelConfig.from_yaml(out / "model.yaml")
    backend = open_backend(BackendChoice(custom=config))
    assert (backend.model_id, backend.model_version) == ("site-test", record.version)
    assert backend.class_names == CLASSES
    kinds = {name: backend.class_map.kind_of(name) for name in backend.class_names}
    assert (
        kinds["two_wheeler"],
        kinds["trading_object"],
        kinds["e_bike"],
        kinds["rack"],
        kinds["person"],
    ) == (
        ObjectKind.TWO_WHEELER,
        ObjectKind.TRADING_OBJECT,
        ObjectKind.TWO_WHEELER,
        ObjectKind.TRADING_OBJECT,
        ObjectKind.PERSON,
    )
    (found,) = backend.detect_batch([background("dog.jpg")])
    assert set(found.class_name) <= set(CLASSES)  # whatever one epoch finds is named in our classes

    # a site names it by its id, like a catalogue model: promoted to a camera, checked, opened by the worker
    site = tmp_path / "site.yaml"
    shutil.copy(EXAMPLE_SITE, site)
    assert (
        main(["models", "promote", "site-test", "--site", str(site), "--camera", "cam-0001", "--write"]) == 0
    )
    assert "model: site-test" in capsys.readouterr().out
    cameras = SiteCameras.from_site(load_site(site))
    assert unknown_models(cameras) == []
    worker_own = open_backend(BackendChoice())  # the worker's default model; the camera's is opened beside it
    opened = open_named_models(cameras, BackendChoice(), worker_own)
    assert opened["site-test"].model_version == record.version
    assert opened["site-test"].class_names == CLASSES


def test_nothing_is_downloaded_a_bare_weights_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = _export(tmp_path / "export")
    code = main(
        ["models", "train", "--data", str(export), "--base", "yolo11n.pt", "--out", str(tmp_path / "m")]
    )
    assert code == 2 and "nothing is downloaded" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
    code = main(
        ["models", "train", "--data", str(tmp_path), "--base", "yolo11n.yaml", "--out", str(tmp_path / "m")]
    )
    assert code == 2 and "no data.yaml" in capsys.readouterr().err
    json.loads((export / "examples.json").read_text())  # the export itself untouched
