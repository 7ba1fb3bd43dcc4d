"""YOLO decoding against models exported from ultralytics' own YOLO11 and YOLO26 definitions.

The fixtures in ``data/`` were made by ``data/make_yolo_fixtures.py`` (tiny scale, 3 classes, random
weights, ONNX export as `yolo export format=onnx`), together with ultralytics' own post-processing of their
raw output on a fixed input. Here the same ONNX files run through ONNX Runtime and our decoders (no torch).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from detectors.backends.onnx_runtime import OnnxRuntimeBackend, OnnxRuntimeConfig
from detectors.decoders.yolo import YoloDecoderConfig, YoloLayout, decode_yolo, detect_layout
from detectors.models.custom import CustomModelConfig

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def fixtures() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "yolo_reference.json").read_text(encoding="utf-8"))
    return loaded


def _fixed_input(size: int) -> np.ndarray:
    values = (np.sin(np.arange(3 * size * size, dtype=np.float64) * 0.7311) + 1) / 2
    return values.reshape(1, 3, size, size).astype(np.float32)


def _unmatched(ours: np.ndarray, reference: np.ndarray, tolerance: float = 2e-3) -> list[list[float]]:
    """Reference rows (x1, y1, x2, y2, score, class) with no row of ours within ``tolerance``, one to one."""
    free = list(range(len(ours)))
    missing = []
    for row in reference:
        close = [i for i in free if np.allclose(ours[i], row, atol=tolerance, rtol=1e-4)]
        if close:
            free.remove(close[0])
        else:
            missing.append(row.tolist())
    return missing


@pytest.mark.parametrize(
    ("family", "layout"), [("yolo11", YoloLayout.ANCHORS), ("yolo26", YoloLayout.END_TO_END)]
)
def test_our_decoder_matches_ultralytics_on_its_own_exported_model(
    fixtures: dict[str, Any], family: str, layout: YoloLayout
) -> None:
    import onnxruntime as ort

    meta, fixture = fixtures["meta"], fixtures[family]
    session = ort.InferenceSession(str(DATA / fixture["file"]), providers=["CPUExecutionProvider"])
    (raw,) = session.run(None, {"images": _fixed_input(meta["size"])})
    assert list(raw.shape) == fixture["output_shape"]
    assert detect_layout(raw.shape, len(meta["names"])) is layout
    config = YoloDecoderConfig(score_threshold=meta["conf"], iou_threshold=meta["iou"])
    decoded = decode_yolo(raw[0], layout, config)
    ours = np.concatenate([decoded.xyxy, decoded.score[:, None], decoded.class_id[:, None]], axis=1)
    reference = np.asarray(fixture["reference"], np.float64)
    assert len(ours) == len(reference) > 10
    assert _unmatched(ours.astype(np.float64), reference) == []
    np.testing.assert_allclose(ours[:, 4], reference[:, 4], atol=2e-4)  # both best first


@pytest.mark.parametrize("family", ["yolo11", "yolo26"])
def test_exported_models_run_as_custom_models_with_names_from_their_metadata(
    fixtures: dict[str, Any], family: str, tmp_path: Path
) -> None:
    path = DATA / fixtures[family]["file"]
    backend = OnnxRuntimeBackend.from_custom(
        CustomModelConfig(id=family, path=path), OnnxRuntimeConfig(max_batch_size=3)
    )
    assert backend.class_names == ("person", "ebike", "stall")
    assert backend.input_size == fixtures["meta"]["size"]
    frames = [np.full((90, 160, 3), value, np.uint8) for value in (0, 128, 255)]
    results = backend.detect_batch(frames)
    assert len(results) == 3
    for detections in results:
        assert (detections.xyxy[:, 2] <= 160).all() and (detections.xyxy[:, 3] <= 90).all()
        assert (detections.xyxy >= 0).all()
