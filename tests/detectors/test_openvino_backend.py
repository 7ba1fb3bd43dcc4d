"""The OpenVINO backend: the default runtime where installed (skipped where the package is absent)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from detectors.backends.factory import BackendChoice, open_backend, resolved_kind
from detectors.backends.onnx_runtime import OnnxRuntimeOptions
from detectors.backends.openvino_runtime import OpenVinoOptions
from detectors.boxes import box_iou
from detectors.models.cache import ModelFiles, asset_cache_dir
from detectors.models.custom import CustomModelConfig
from detectors.models.registry import get_model_spec

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def bus_jpg() -> np.ndarray:
    if not ModelFiles.of(get_model_spec()).is_built(verify=False):
        pytest.skip("the default model is not built: run `gridwatch models build`")
    path = asset_cache_dir() / "bus.jpg"
    if not path.is_file():
        pytest.skip(f"{path} is absent: run `gridwatch models fetch-test-assets`")
    image = cv2.imread(str(path))
    assert image is not None
    return image


@pytest.mark.parametrize("precision", ["f32", "auto"])
def test_openvino_finds_what_onnx_runtime_finds_on_a_real_photo(bus_jpg: np.ndarray, precision: str) -> None:
    ours = open_backend(BackendChoice(runtime=OpenVinoOptions(precision=precision), max_batch_size=2))
    reference = open_backend(BackendChoice(runtime=OnnxRuntimeOptions(), max_batch_size=2))
    assert getattr(reference, "precision", None) is None, "the reference must be ONNX Runtime"
    assert ours.model_id == reference.model_id and ours.class_names == reference.class_names
    got = ours.detect_batch([bus_jpg, bus_jpg])[0]
    want = reference.detect_batch([bus_jpg])[0].with_min_score(0.3)
    assert len(want) >= 4, "ONNX Runtime should find the bus and three persons"
    iou = box_iou(want.xyxy, got.xyxy)
    best = iou.argmax(axis=1)
    assert iou.max(axis=1).min() > 0.9, "every confident ONNX Runtime box has an OpenVINO twin"
    assert np.array_equal(got.class_id[best], want.class_id), "twins have the same class"
    tolerance = 1e-3 if precision == "f32" else 0.05  # bf16 keeps ~3 significant digits
    assert np.abs(got.score[best] - want.score).max() < tolerance


def test_auto_runs_on_openvino_with_native_precision() -> None:
    choice = BackendChoice(max_batch_size=1)
    assert resolved_kind(choice) == "openvino"
    onnx_cpu = OnnxRuntimeOptions(providers=("CPUExecutionProvider",))
    assert resolved_kind(BackendChoice(runtime=onnx_cpu)) == "onnxruntime"
    weights = CustomModelConfig(id="best", path=DATA / "best.pt")
    assert resolved_kind(BackendChoice(custom=weights)) == "ultralytics"
    if not ModelFiles.of(get_model_spec()).is_built(verify=False):
        pytest.skip("the default model is not built: run `gridwatch models build`")
    import openvino

    native_bf16 = "BF16" in openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    assert getattr(open_backend(choice), "precision", None) == ("bf16" if native_bf16 else "f32")


def test_openvino_runs_an_exported_yolo_model_with_names_from_its_metadata() -> None:
    backend = open_backend(
        BackendChoice(
            runtime=OpenVinoOptions(), custom=CustomModelConfig(id="y11", path=DATA / "yolo11t-random.onnx")
        )
    )
    assert backend.class_names == ("person", "ebike", "stall")
    reference = open_backend(
        BackendChoice(custom=CustomModelConfig(id="y11", path=DATA / "yolo11t-random.onnx"))
    )
    frames = [np.full((90, 160, 3), value, np.uint8) for value in (30, 200)]
    (got,) = backend.infer(backend.prepare(frames))
    (want,) = reference.infer(reference.prepare(frames))
    assert got.shape == want.shape == (2, 7, 336)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=2e-2)


def test_runtimes_are_registered_by_kind_and_an_unknown_kind_is_named() -> None:
    from pydantic import ValidationError

    from detectors.backends.registry import BACKENDS, plugin_for, runtime_options

    assert set(BACKENDS) == {"onnxruntime", "openvino", "ultralytics"}
    for kind, plugin in BACKENDS.items():  # each runtime's options carry its own kind
        assert plugin.options_type().model_dump()["kind"] == kind
    assert runtime_options("openvino", precision="f32") == OpenVinoOptions(precision="f32")
    with pytest.raises(ValidationError, match="'tensorrt'"):
        runtime_options("tensorrt")
    with pytest.raises(ValidationError, match="precision"):
        runtime_options("openvino", precision="f8")
    with pytest.raises(ValidationError, match="providers"):  # options of another runtime are refused
        runtime_options("openvino", providers=("CPUExecutionProvider",))
    with pytest.raises(LookupError, match="registered: onnxruntime, openvino, ultralytics"):
        plugin_for("tensorrt")
