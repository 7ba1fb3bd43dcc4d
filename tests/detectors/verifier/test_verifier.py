"""The verifier: trained on a labels export of real cut-outs (vendors' produce piles as positives, bins and
post boxes put out on the pavement as negatives, on the real pavement of OpenCV's leuvenB.jpg), measured by
cross-validation, then applied to scenes it never saw; the artefact's errors name what is wrong.

Skipped, with the reason, when the SSD model or the licensed test assets are absent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from detectors.camera_zones import CameraZones, SiteCameras
from detectors.models.cache import ModelFiles
from detectors.models.registry import SSD_MODEL_ID, get_model_spec
from detectors.verifier.runtime import INFO_FILE, Verifier, VerifierError, VerifierInfo
from detectors.verifier.train import TrainingError, train_verifier
from detectors.worker.verifiers import REMEMBER_S, CameraVerifier, CameraVerifiers
from gridwatch.config import CameraDetection
from gridwatch.detections import STATIC_FOREGROUND_CLASS, Detections, ObjectKind
from tests.detectors.composites import DECOYS, PILES, assets_present, background, paste

MODEL = ModelFiles.of(get_model_spec(SSD_MODEL_ID)).onnx
NOW = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    not MODEL.is_file() or not assets_present(),
    reason="needs the SSD model (gridwatch models build) and the test assets (models fetch-test-assets)",
)


def _export(folder: Path, background: NDArray[np.uint8], count: int, seed: int) -> Path:
    """A labels export as `gridwatch labels export` writes it: frames, and examples.json."""
    rng = np.random.default_rng(seed)
    (folder / "images" / "train").mkdir(parents=True)
    examples = []
    for n in range(count):
        positive = n % 2 == 0
        sprite = PILES[n // 2 % len(PILES)] if positive else DECOYS[n // 2 % len(DECOYS)]
        image, box = paste(background, sprite, rng)
        name = f"images/train/{n:03d}.jpg"
        cv2.imwrite(str(folder / name), image)
        examples.append(
            {
                "image": name,
                "split": "train",
                "polarity": "positive" if positive else "negative",
                "class": "trading_object",
                "boxes": [box],
                "camera_id": f"cam-{n % 3}",
                "captured_at": (NOW + timedelta(hours=n % 6)).isoformat(),
            }
        )
    (folder / "examples.json").write_text(json.dumps(examples))
    return folder


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Verifier, Path]:
    root = tmp_path_factory.mktemp("verifier")
    export = _export(root / "export", background("leuvenB.jpg"), 40, seed=1)
    info = train_verifier(export, MODEL, "ssd", root / "artefact", now=NOW)
    assert (info.positives, info.negatives, info.feature_dim) == (20, 20, 576 + 1280)
    return Verifier.load(root / "artefact"), root


def test_cross_validation_by_camera_and_hour_separates_goods_from_street_furniture(
    trained: tuple[Verifier, Path],
) -> None:
    verifier, _root = trained
    cv = verifier.info.cross_validation
    assert cv.folds >= 2 and cv.grouping == "camera-hour"  # six camera-hours: no fold sees its test spot
    assert cv.precision is not None and cv.recall is not None and cv.negatives_removed is not None
    assert cv.precision >= 0.85 and cv.recall >= 0.85 and cv.negatives_removed >= 0.85
    assert verifier.info.applies_to == ("trading_object",) and verifier.info.id.startswith("trading_object-")


def test_on_scenes_it_never_saw_it_keeps_goods_and_removes_bins(trained: tuple[Verifier, Path]) -> None:
    verifier, root = trained
    held_out = _export(root / "held-out", background("dog.jpg"), 20, seed=7)  # another street, other places
    examples = json.loads((held_out / "examples.json").read_text())
    kept = {"positive": 0, "negative": 0}
    for example in examples:
        image = cv2.imread(str(held_out / example["image"]))
        assert image is not None
        blob = Detections.model_free(example["boxes"], STATIC_FOREGROUND_CLASS, ObjectKind.TRADING_OBJECT)
        person = Detections.of_classes([[0, 0, 20, 40]], [0.9], [0], ("person",), (ObjectKind.PERSON,))
        found, removed, _believed = verifier.keep(
            np.asarray(image, np.uint8), Detections.merge([person, blob])
        )
        assert "person" in found.class_name  # not a class it verifies: passes untouched
        assert removed == 2 - len(found)
        kept[example["polarity"]] += STATIC_FOREGROUND_CLASS in found.class_name
    assert kept["positive"] >= 8 and kept["negative"] <= 2, kept  # of 10 each


def test_a_verifier_needs_both_kinds_of_example_and_a_new_folder(tmp_path: Path) -> None:
    export = _export(tmp_path / "export", background("leuvenB.jpg"), 6, seed=3)
    examples = json.loads((export / "examples.json").read_text())
    for example in examples:
        example["polarity"] = "positive"
    (export / "examples.json").write_text(json.dumps(examples))
    with pytest.raises(TrainingError, match="6 positive and 0 negative boxes"):
        train_verifier(export, MODEL, "ssd", tmp_path / "out", now=NOW)
    assert not (tmp_path / "out").exists()  # nothing half-written is left to load
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(TrainingError, match="not an empty folder"):
        train_verifier(export, MODEL, "ssd", tmp_path / "used", now=NOW)


def test_loading_names_what_is_wrong(trained: tuple[Verifier, Path], tmp_path: Path) -> None:
    with pytest.raises(VerifierError, match="holds no verifier"):
        Verifier.load(tmp_path)
    _verifier, root = trained
    broken = tmp_path / "broken"
    broken.mkdir()
    info = json.loads((root / "artefact" / INFO_FILE).read_text())
    (broken / INFO_FILE).write_text(json.dumps({**info, "feature_dim": 7}))
    with pytest.raises(VerifierError, match=r"weights\.npz"):
        Verifier.load(broken)


def test_a_camera_naming_a_missing_verifier_is_an_error_that_names_the_camera(tmp_path: Path) -> None:
    detection = CameraDetection(verifier=tmp_path / "nowhere")
    cameras = SiteCameras({"cam-x": CameraZones("cam-x", 1920, 1080, (), detection)})
    with pytest.raises(VerifierError, match=r"camera cam-x: verifier .*nowhere.*holds no verifier"):
        CameraVerifiers.of(cameras)
    assert not CameraVerifiers.of(
        SiteCameras({"cam-y": CameraZones("cam-y", 1920, 1080, (), CameraDetection())})
    )


def test_the_cli_trains_into_the_store_and_models_list_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main

    export = _export(tmp_path / "export", background("leuvenB.jpg"), 12, seed=5)
    monkeypatch.setenv("GW_VERIFIER_DIR", str(tmp_path / "store"))
    assert main(["verifier", "train", "--data", str(export)]) == 0
    printed = capsys.readouterr().out
    assert "trained trading_object-" in printed and "cross-validated (" in printed
    (folder,) = (tmp_path / "store").iterdir()
    assert folder.name.startswith("trading_object-") and Verifier.load(folder).info.positives == 6
    assert main(["models", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"verifiers in {tmp_path / 'store'}: 1" in listed and folder.name in listed
    assert "6+/6- crops" in listed
    assert main(["verifier", "train", "--data", str(tmp_path / "nothing")]) == 2
    assert "not a labels export" in capsys.readouterr().err


def test_boxes_a_person_rejected_stay_negatives_on_a_frame_they_labelled(tmp_path: Path) -> None:
    export = _export(tmp_path / "export", background("leuvenB.jpg"), 8, seed=9)
    examples = json.loads((export / "examples.json").read_text())
    for example in examples:
        if (
            example["polarity"] == "negative"
        ):  # the box-labelling page: the false box kept apart, a real one drawn
            example["rejected_boxes"], example["polarity"] = example["boxes"], "positive"
            example["boxes"] = [[0.0, 0.0, 60.0, 60.0]]
    (export / "examples.json").write_text(json.dumps(examples))
    info = train_verifier(export, MODEL, "ssd", tmp_path / "out", now=NOW)
    assert (info.positives, info.negatives) == (8, 4)


class _LeftOnly:
    """An embedder whose one feature is a box's left edge: with the weights below the verifier believes boxes
    starting left of x 100 (so what the memory does is plain to see)."""

    def embed(self, image: NDArray[np.uint8], boxes: NDArray[np.float32]) -> NDArray[np.float32]:
        return np.asarray(boxes[:, :1], np.float32)


def test_the_verifier_judges_an_object_over_its_recent_frames_not_one_view() -> None:
    info = VerifierInfo.model_validate(
        {
            "id": "left",
            "created_at": NOW,
            "base_model": "none",
            "applies_to": ["trading_object"],
            "threshold": 0.5,
            "context": 0.1,
            "input_size": 32,
            "feature_dim": 1,
            "positives": 1,
            "negatives": 1,
            "data_sha256": "0" * 64,
            "data": "-",
            "cross_validation": {"folds": 0, "precision": None, "recall": None, "negatives_removed": None},
        }
    )
    one = np.ones(1)
    weights = {"mean": np.zeros(1), "scale": one, "coef": -one, "intercept": np.asarray(100.0)}
    verifier = Verifier(info, _LeftOnly(), weights)  # type: ignore[arg-type]
    verifiers = CameraVerifiers({"cam-1": CameraVerifier(verifier, None)})
    image = np.zeros((200, 400, 3), np.uint8)

    def blob(*box: float) -> Detections:
        return Detections.model_free([box], STATIC_FOREGROUND_CLASS, ObjectKind.TRADING_OBJECT)

    pile = blob(40, 50, 160, 150)  # x1 40: believed (p ~ 1)
    fragment = blob(110, 60, 150, 140)  # x1 110: not believed alone (p ~ 0), inside the pile's box
    assert verifiers.apply("cam-1", image, pile, at=1000.0)[1] == 0
    assert verifiers.apply("cam-1", image, pile, at=1005.0)[1] == 0
    assert (
        verifiers.apply("cam-1", image, fragment, at=1010.0)[1] == 0
    )  # (0 + 1 + 1) / 3: the pile, half hidden
    assert verifiers.apply("cam-1", image, blob(200, 60, 260, 140), at=1011.0)[1] == 1  # nothing known there
    for t in (1100.0, 1101.0, 1102.0):  # a bin the verifier does not believe ...
        assert verifiers.apply("cam-1", image, blob(150, 60, 210, 140), at=t)[1] == 1
    good_view = blob(95, 60, 205, 140)  # ... and one view of it that looks like goods (p 0.99)
    assert verifiers.apply("cam-1", image, good_view, at=1103.0)[1] == 1  # (0.99 + 0 + 0 + 0) / 4
    assert verifiers.apply("cam-1", image, fragment, at=1000.0 + 2 * REMEMBER_S + 200)[1] == 1  # forgotten
    verifiers.apply("cam-1", image, pile, at=1300.0)
    verifiers.drop(["cam-1"])  # the camera moved to another worker: its memory goes
    assert verifiers.apply("cam-1", image, fragment, at=1301.0)[1] == 1
