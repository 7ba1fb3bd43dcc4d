"""Weighted box fusion and the ensemble backend: fused boxes are the weighted averages worked out here."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from detectors.backends.base import StagedBackend
from detectors.backends.batch_input import PreparedBatch
from detectors.backends.ensemble import (
    EnsembleBackend,
    EnsembleSettings,
    RescoredBackend,
    ensemble_members,
    fuse_detections,
    weighted_box_fusion,
)
from detectors.backends.factory import BackendChoice, open_backend
from detectors.backends.registry import runtime_options
from detectors.boxes import box_iou
from detectors.class_map import ClassMap
from detectors.models.cache import ModelFiles, asset_cache_dir
from detectors.models.registry import CENTERNET_MODEL_ID, SSD_MODEL_ID, get_model_spec
from gridwatch.detections import Detections, ObjectKind


def test_two_overlapping_boxes_fuse_into_their_score_weighted_average() -> None:
    # A (0, 0, 10, 10) 0.9 and B (1, 1, 11, 11) 0.6 overlap by IoU 81 / 119 = 0.68 > 0.55: one cluster.
    # corners: (0.9 * 0 + 0.6 * 1) / 1.5 = 0.4 and (0.9 * 10 + 0.6 * 11) / 1.5 = 10.4
    # score: mean(0.9, 0.6) * min(2 boxes, 2 members) / 2 = 0.75
    # A's (50, 50, 60, 60) 0.8 overlaps nothing: kept as it is, scored 0.8 * 1 / 2 = 0.4
    fused = weighted_box_fusion(
        [np.array([[0, 0, 10, 10], [50, 50, 60, 60]]), np.array([[1, 1, 11, 11]])],
        [np.array([0.9, 0.8]), np.array([0.6])],
        [["bike", "bike"], ["bike"]],
        [1.0, 1.0],
        0.55,
    )
    np.testing.assert_allclose(fused.xyxy, [[0.4, 0.4, 10.4, 10.4], [50.0, 50.0, 60.0, 60.0]], atol=1e-5)
    np.testing.assert_allclose(fused.score, [0.75, 0.4], atol=1e-6)
    assert fused.members == ((0, 2), (1,))


def test_weights_scale_each_members_say() -> None:
    # weights 2 and 1: c = 1.8 and 0.6; corners (1.8 * 0 + 0.6 * 1) / 2.4 = 0.25 and 10.25;
    # score mean(1.8, 0.6) * 2 / (2 + 1) = 0.8, the weighted mean of 0.9 and 0.6
    fused = weighted_box_fusion(
        [np.array([[0, 0, 10, 10]]), np.array([[1, 1, 11, 11]])],
        [np.array([0.9]), np.array([0.6])],
        [["a"], ["a"]],
        [2.0, 1.0],
        0.55,
    )
    np.testing.assert_allclose(fused.xyxy, [[0.25, 0.25, 10.25, 10.25]], atol=1e-5)
    np.testing.assert_allclose(fused.score, [0.8], atol=1e-6)


def test_boxes_of_different_keys_or_too_little_overlap_stay_apart() -> None:
    fused = weighted_box_fusion(
        [np.array([[0, 0, 10, 10]]), np.array([[0, 0, 10, 10], [0, 0, 10, 5]])],
        [np.array([0.8]), np.array([0.6, 0.4])],
        [["person"], ["bike", "person"]],  # the second member's (0, 0, 10, 5) person: IoU 0.5 < 0.55
        [1.0, 1.0],
        0.55,
    )
    assert sorted(fused.key) == ["bike", "person", "person"]
    np.testing.assert_allclose(sorted(fused.score.tolist()), [0.2, 0.3, 0.4], atol=1e-6)


NAMES = ("person", "bicycle", "motorcycle", "bench")
CLASS_MAP = ClassMap(
    kinds={
        "person": ObjectKind.PERSON,
        "bicycle": ObjectKind.TWO_WHEELER,
        "motorcycle": ObjectKind.TWO_WHEELER,
    }
)
KINDS = CLASS_MAP.kinds_of(NAMES)


def _found(rows: list[tuple[float, float, float, float, float, int]]) -> Detections:
    array = np.array(rows, np.float64).reshape(-1, 6)
    return Detections.of_classes(array[:, :4], array[:, 4], array[:, 5].astype(np.int64), NAMES, KINDS)


def test_fusing_by_kind_joins_one_members_bicycle_with_the_others_motorcycle() -> None:
    first = _found([(0, 0, 10, 20, 0.5, 1), (30, 0, 40, 20, 0.9, 3)])  # bicycle, bench
    second = _found([(0, 0, 10, 20, 0.7, 2), (30, 0, 40, 20, 0.2, 0)])  # motorcycle, person on the bench
    fused = fuse_detections([first, second], EnsembleSettings(score_threshold=0.1), NAMES, CLASS_MAP)
    by_name = dict(zip(fused.class_name, fused.score.tolist(), strict=True))
    # one two-wheeler, named after the larger score (0.7), scored (0.5 + 0.7) / 2; bench and person apart
    assert by_name == pytest.approx({"motorcycle": 0.6, "bench": 0.45, "person": 0.1})
    assert fused.kind[fused.class_name.index("motorcycle")] is ObjectKind.TWO_WHEELER
    by_class = fuse_detections(
        [first, second], EnsembleSettings(score_threshold=0.1, fuse_by="class"), NAMES, CLASS_MAP
    )
    assert sorted(by_class.class_name) == ["bench", "bicycle", "motorcycle", "person"]
    # the operating threshold drops fused boxes below it; member_min_score drops member boxes before fusing
    strict = fuse_detections([first, second], EnsembleSettings(score_threshold=0.3), NAMES, CLASS_MAP)
    assert sorted(strict.class_name) == ["bench", "motorcycle"]
    picky = fuse_detections(
        [first, second], EnsembleSettings(member_min_score=0.6, score_threshold=0.1), NAMES, CLASS_MAP
    )
    assert dict(zip(picky.class_name, picky.score.tolist(), strict=True)) == pytest.approx(
        {"motorcycle": 0.35, "bench": 0.45}
    )


class ListedBackend:
    """A staged backend without a model: image ``i`` (its top-left pixel value) has ``found[i]``."""

    class_map = CLASS_MAP

    def __init__(
        self, model_id: str, found: dict[int, Detections], class_names: tuple[str, ...] = NAMES
    ) -> None:
        self.model_id = model_id
        self.model_version = "1"
        self.class_names = class_names
        self.found = found
        self.max_batch_size = 3
        self.streams = 2
        self.input_size = 64

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        prepared = self.prepare(images)
        return self.decode(prepared, self.infer(prepared))

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        return PreparedBatch(np.array([[image[0, 0, 0]] for image in images], np.float32), ())

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        return [prepared.tensor, prepared.tensor * 0]  # two outputs, as a real model may have

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        return [self.found[int(value)] for value in outputs[0][:, 0].tolist()]


def _frame(value: int) -> NDArray[np.uint8]:
    return np.full((8, 8, 3), value, np.uint8)


def test_the_ensemble_backend_runs_every_member_and_fuses_frame_by_frame() -> None:
    first = ListedBackend(
        "a", {1: _found([(0, 0, 10, 20, 0.5, 1)]), 2: _found([]), 3: _found([(5, 5, 9, 9, 0.4, 0)])}
    )
    second = ListedBackend(
        "b", {1: _found([(0, 0, 10, 20, 0.7, 2)]), 2: _found([(1, 1, 3, 3, 0.9, 0)]), 3: _found([])}
    )
    settings = EnsembleSettings(score_threshold=0.1)
    ensemble = EnsembleBackend([first, second], settings)
    assert isinstance(ensemble, StagedBackend)
    assert ensemble.model_id == "ensemble:a+b" and ensemble.max_batch_size == 3 and ensemble.streams == 2

    frames = [_frame(1), _frame(2), _frame(3), _frame(1)]
    found = ensemble.detect_batch(frames)

    assert len(found) == 4
    for frame, fused in zip(frames, found, strict=True):
        key = int(frame[0, 0, 0])
        assert fused == fuse_detections([first.found[key], second.found[key]], settings, NAMES, CLASS_MAP)
    assert found[0].class_name == ("motorcycle",) and found[0].score.tolist() == pytest.approx([0.6])
    assert found[1].score.tolist() == pytest.approx([0.45]) and found[2].score.tolist() == pytest.approx(
        [0.2]
    )


def test_an_ensemble_refuses_members_that_give_a_class_two_meanings() -> None:
    other = ClassMap(kinds={**CLASS_MAP.kinds, "bench": ObjectKind.TRADING_OBJECT})
    first = ListedBackend("a", {})
    second = ListedBackend("b", {})
    second.class_map = other
    with pytest.raises(ValueError, match="'bench' is other to one member and trading_object to b"):
        EnsembleBackend([first, second])


def test_ensemble_ids_name_two_or_more_different_models() -> None:
    assert ensemble_members("ensemble:a+b") == ("a", "b")
    assert ensemble_members(CENTERNET_MODEL_ID) is None
    for bad in ("ensemble:a", "ensemble:a+", "ensemble:a+a"):
        with pytest.raises(ValueError, match="ensemble"):
            ensemble_members(bad)


def _built_or_skip(*model_ids: str) -> None:
    for model_id in model_ids:
        files = ModelFiles.of(get_model_spec(model_id))
        if not files.is_built(verify=False):
            pytest.skip(f"{model_id} is not built in {files.root}: run `gridwatch models build`")


def _asset(name: str) -> NDArray[np.uint8]:
    path = asset_cache_dir() / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: run `gridwatch models fetch-test-assets`")
    image = cv2.imread(str(path))
    assert image is not None
    return np.asarray(image, np.uint8)


def test_a_rescored_catalogue_model_reports_the_same_boxes_above_its_own_threshold() -> None:
    _built_or_skip(CENTERNET_MODEL_ID, SSD_MODEL_ID)
    images = [_asset("bus.jpg"), _asset("leuvenB.jpg")]
    for model_id in (CENTERNET_MODEL_ID, SSD_MODEL_ID):
        backend = open_backend(BackendChoice(model_id=model_id, runtime=runtime_options("onnxruntime")))
        low = RescoredBackend(backend, 0.05)
        for own, lowered in zip(backend.detect_batch(images), low.detect_batch(images), strict=True):
            assert lowered.with_min_score(0.2) == own
            assert len(lowered) > len(own)  # and weaker ones besides


def test_open_backend_opens_an_ensemble_id_on_the_chosen_runtime() -> None:
    _built_or_skip(CENTERNET_MODEL_ID, SSD_MODEL_ID)
    model_id = f"ensemble:{CENTERNET_MODEL_ID}+{SSD_MODEL_ID}"
    backend = open_backend(BackendChoice(model_id=model_id, runtime=runtime_options("onnxruntime")))
    assert isinstance(backend, EnsembleBackend) and backend.model_id == model_id
    assert [m.model_id for m in backend.members] == [CENTERNET_MODEL_ID, SSD_MODEL_ID]
    (found,) = backend.detect_batch([_asset("bus.jpg")])
    buses = found.of_kinds(ObjectKind.VEHICLE)
    assert buses.class_name == ("bus",)
    assert box_iou(np.array([[20, 230, 805, 740]], np.float32), buses.xyxy)[0, 0] >= 0.8
