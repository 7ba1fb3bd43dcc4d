"""YOLO output decoding: hand-made tensors with known boxes, and YOLO-layout ONNX models run end to end.

The ONNX models are built with the ``onnx`` package in ultralytics' export layout (input ``images`` NCHW
RGB 0..1, one output ``(N, 4 + classes, anchors)`` for YOLOv8/11 or ``(N, K, 6)`` end-to-end for YOLO26,
``names``/``imgsz`` metadata as ultralytics writes it): exporting from ultralytics' own model definition
needs torch and torchvision, which this machine cannot import.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detectors.backends.onnx_runtime import OnnxRuntimeBackend, OnnxRuntimeConfig
from detectors.class_map import ClassMap, ObjectKind
from detectors.decoders.yolo import YoloDecoderConfig, YoloLayout, decode_yolo, detect_layout
from detectors.models.custom import CustomModelConfig, names_from_metadata
from tests.detectors.yolo_onnx import NAMES, SIZE, anchors_output, yolo_onnx


def test_anchor_layout_thresholds_suppresses_and_keeps_classes_apart() -> None:
    output = anchors_output(
        [
            (32, 32, 20, 10, 1, 0.9),  # ebike
            (33, 32, 20, 10, 1, 0.6),  # the same ebike again: suppressed
            (32, 32, 20, 10, 0, 0.5),  # a person at the same place: another class, kept
            (10, 10, 4, 4, 2, 0.1),  # below the threshold
        ]
    )
    decoded = decode_yolo(output, YoloLayout.ANCHORS, YoloDecoderConfig(score_threshold=0.25))
    assert decoded.class_id.tolist() == [1, 0]
    np.testing.assert_allclose(decoded.score, [0.9, 0.5])
    np.testing.assert_allclose(decoded.xyxy, [[22, 27, 42, 37], [22, 27, 42, 37]])
    agnostic = decode_yolo(output, YoloLayout.ANCHORS, YoloDecoderConfig(class_agnostic_nms=True))
    assert agnostic.class_id.tolist() == [1]
    capped = decode_yolo(output, YoloLayout.ANCHORS, YoloDecoderConfig(iou_threshold=1.0, max_detections=2))
    np.testing.assert_allclose(capped.score, [0.9, 0.6])


def test_end_to_end_layout_needs_no_nms() -> None:
    output = np.zeros((300, 6), np.float32)
    output[0] = (10, 12, 30, 40, 0.8, 2)
    output[1] = (11, 12, 31, 40, 0.7, 2)  # overlapping, but the model already chose: kept
    output[2] = (0, 0, 5, 5, 0.1, 0)
    decoded = decode_yolo(output, YoloLayout.END_TO_END, YoloDecoderConfig())
    assert decoded.class_id.tolist() == [2, 2]
    np.testing.assert_allclose(decoded.xyxy, [[10, 12, 30, 40], [11, 12, 31, 40]])


@pytest.mark.parametrize(
    ("shape", "classes", "layout"),
    [
        ((1, 84, 8400), 80, YoloLayout.ANCHORS),
        ((2, 7, 40), 3, YoloLayout.ANCHORS),
        ((1, 300, 6), 80, YoloLayout.END_TO_END),
    ],
)
def test_layout_is_read_from_the_output_shape(
    shape: tuple[int, ...], classes: int, layout: YoloLayout
) -> None:
    assert detect_layout(shape, classes) is layout


def test_unknown_output_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="neither"):
        detect_layout((1, 10, 100), 80)
    with pytest.raises(ValueError, match="3 dimensions"):
        detect_layout((84, 8400), 80)


def test_class_names_come_from_ultralytics_metadata() -> None:
    assert names_from_metadata({"names": "{0: 'person', 1: 'ebike', 2: 'stall'}"}) == NAMES
    assert names_from_metadata({"names": "not python"}) is None
    assert names_from_metadata({}) is None


CUSTOM_MAP = ClassMap(
    kinds={"person": ObjectKind.PERSON, "ebike": ObjectKind.TWO_WHEELER, "stall": ObjectKind.TRADING_OBJECT}
)


@pytest.mark.parametrize("layout", ["anchors", "end2end"])
def test_a_custom_yolo_model_plugs_in_by_configuration(tmp_path: Path, layout: str) -> None:
    if layout == "anchors":
        raw = anchors_output([(32, 32, 20, 10, 1, 0.9), (50, 40, 8, 16, 2, 0.7)])[None]
    else:
        raw = np.zeros((1, 300, 6), np.float32)
        raw[0, 0] = (22, 27, 42, 37, 0.9, 1)
        raw[0, 1] = (46, 32, 54, 48, 0.7, 2)
    path = yolo_onnx(tmp_path / "street.onnx", raw)
    config = CustomModelConfig(id="yolo-street", path=path, class_map=CUSTOM_MAP)
    backend = OnnxRuntimeBackend.from_custom(config, OnnxRuntimeConfig(max_batch_size=4, streams=1))
    assert backend.class_names == NAMES and backend.input_size == SIZE
    assert backend.model_version == config.resolve({}, [1, 3, SIZE, SIZE]).version  # the file's digest
    # a 128x64 frame letterboxed into 64x64: scale 0.5, 16 px of padding above and below
    frames = [np.zeros((64, 128, 3), np.uint8), np.full((64, 128, 3), 200, np.uint8)]
    for detections in backend.detect_batch(frames):
        assert detections.class_name == ("ebike", "stall")
        np.testing.assert_allclose(detections.xyxy, [[44, 22, 84, 42], [92, 32, 108, 64]], atol=1e-3)
        assert detections.kind == ("two_wheeler", "trading_object")


def test_custom_model_yaml_resolves_the_file_next_to_it(tmp_path: Path) -> None:
    (tmp_path / "street.yaml").write_text(
        "id: yolo11s-street\npath: weights/street.onnx\nformat: yolo\n"
        "class_map: {kinds: {ebike: two_wheeler, stall: trading_object}}\nyolo: {score_threshold: 0.4}\n",
        encoding="utf-8",
    )
    config = CustomModelConfig.from_yaml(tmp_path / "street.yaml")
    assert config.path == (tmp_path / "weights" / "street.onnx").resolve()
    assert config.class_map is not None and config.class_map.kind_of("stall") is ObjectKind.TRADING_OBJECT
    assert config.yolo.score_threshold == 0.4
