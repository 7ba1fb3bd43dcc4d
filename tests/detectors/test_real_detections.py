"""Real detections with the default model (built by `gridwatch models build`) on real photos.

Skipped, with the reason, when the model or the images are absent: the Makefile builds the model and fetches
the test assets before the tests run.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from detectors.backends.base import DetectorBackend
from detectors.backends.onnx_runtime import OnnxRuntimeBackend, choose_providers
from detectors.boxes import box_iou
from detectors.class_map import ObjectKind
from detectors.models.cache import ModelFiles
from detectors.models.registry import CENTERNET_MODEL_ID, get_model_spec
from tests.detectors.real_photos import BUS_JPG_OBJECTS, asset_image, team_two_wheelers_found

MEASURED_TWO_WHEELERS_FOUND = 20  # of 27 labelled, with the default settings (stretch, score >= 0.2)
TWO_WHEELER_FLOOR = 18


@pytest.fixture(scope="module")
def backend() -> OnnxRuntimeBackend:
    spec = get_model_spec(CENTERNET_MODEL_ID)  # these figures are CenterNet's; SSD has tests of its own
    files = ModelFiles.of(spec)
    if not files.is_built(verify=False):
        pytest.skip(f"model {spec.id} is not built in {files.root}: run `gridwatch models build`")
    return OnnxRuntimeBackend(files.onnx, spec)


def test_backend_satisfies_the_protocol(backend: OnnxRuntimeBackend) -> None:
    assert isinstance(backend, DetectorBackend)
    assert backend.model_id == "centernet-coco80" and len(backend.class_names) == 80
    assert backend.providers[-1] == "CPUExecutionProvider"
    assert choose_providers(["NoSuchExecutionProvider", "CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_bus_jpg_yields_the_bus_and_the_persons(backend: OnnxRuntimeBackend) -> None:
    image = asset_image("bus.jpg")
    started = time.perf_counter()
    detections = backend.detect(image)
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"\nbus.jpg in {elapsed_ms:.0f} ms:")
    for name, box, score in zip(
        detections.class_name, detections.xyxy.round().tolist(), detections.score, strict=True
    ):
        print(f"  {name:10s} {score:.2f} {box}")
    for class_name, expected in BUS_JPG_OBJECTS:
        same_class = detections.select(np.array(detections.class_name) == class_name)
        ious = box_iou(np.array([expected], np.float32), same_class.xyxy)[0]
        assert ious.size and ious.max() >= 0.6, (
            f"{class_name} at {expected} not found (best IoU {ious.max(initial=0):.2f})"
        )
    buses = detections.of_kinds(ObjectKind.VEHICLE)
    assert len(buses) == 1 and buses.class_name == ("bus",) and buses.score[0] >= 0.3
    assert np.all(detections.xyxy[:, [0, 2]] <= image.shape[1]) and np.all(
        detections.xyxy[:, [1, 3]] <= image.shape[0]
    )


def test_batch_results_equal_single_results(backend: OnnxRuntimeBackend) -> None:
    bus, zidane = asset_image("bus.jpg"), asset_image("zidane.jpg")
    batch = backend.detect_batch([bus, zidane, bus])
    assert len(batch) == 3
    for image, batched in zip([bus, zidane, bus], batch, strict=True):
        single = backend.detect(image)
        assert batched.class_name == single.class_name
        np.testing.assert_allclose(batched.xyxy, single.xyxy, atol=0.5)
    zidane_people = batch[1].of_kinds(ObjectKind.PERSON)
    assert len(zidane_people) >= 2  # the two men


def test_two_wheeler_photos_yield_bicycles_and_motorcycles(backend: OnnxRuntimeBackend) -> None:
    total_found, total_labelled = team_two_wheelers_found(
        lambda image: backend.detect(image).of_kinds(ObjectKind.TWO_WHEELER).xyxy, MEASURED_TWO_WHEELERS_FOUND
    )
    assert total_labelled > 0
    assert total_found >= min(TWO_WHEELER_FLOOR, total_labelled)
