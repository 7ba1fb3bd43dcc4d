"""The OpenVINO backend (optional: skipped where the `openvino` package is not installed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detectors.backends.factory import BackendChoice, BackendKind, open_backend
from detectors.boxes import box_iou
from detectors.models.cache import ModelFiles
from detectors.models.custom import CustomModelConfig
from detectors.models.registry import get_model_spec

pytest.importorskip("openvino", reason="the OpenVINO backend is optional (pip install openvino)")

DATA = Path(__file__).resolve().parent / "data"


def test_openvino_finds_what_onnx_runtime_finds_with_the_default_model() -> None:
    if not ModelFiles.of(get_model_spec()).is_built(verify=False):
        pytest.skip("the default model is not built: run `gridwatch models build`")
    image = np.zeros((270, 480, 3), np.uint8)
    image[60:250, 200:260] = (40, 60, 200)  # a figure-sized block on a dark street
    image[:, :, 1] += np.linspace(0, 120, 480, dtype=np.uint8)[None, :]
    ours = open_backend(BackendChoice(kind=BackendKind.OPENVINO, max_batch_size=2))
    reference = open_backend(BackendChoice(max_batch_size=2))
    assert ours.model_id == reference.model_id and ours.class_names == reference.class_names
    got, want = ours.detect_batch([image, image])[0], reference.detect_batch([image])[0]
    confident = want.with_min_score(0.3)
    if len(confident):
        assert len(got) > 0 and box_iou(confident.xyxy, got.xyxy).max(axis=1).min() > 0.9


def test_openvino_runs_an_exported_yolo_model_with_names_from_its_metadata() -> None:
    backend = open_backend(
        BackendChoice(
            kind=BackendKind.OPENVINO, custom=CustomModelConfig(id="y11", path=DATA / "yolo11t-random.onnx")
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
