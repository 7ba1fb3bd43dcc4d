"""Real detections with the default model (built by `gridwatch models build`) on real photos.

Skipped, with the reason, when the model or the images are absent: the Makefile builds the model and fetches
the test assets before the tests run.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from detectors.backends.base import DetectorBackend
from detectors.backends.onnx_runtime import OnnxRuntimeBackend, choose_providers
from detectors.boxes import box_iou
from detectors.class_map import ObjectKind
from detectors.models.cache import ModelFiles, asset_cache_dir
from detectors.models.registry import CENTERNET_MODEL_ID, get_model_spec
from gridwatch.detections import Detections

TWO_WHEELERS = Path(__file__).resolve().parents[3] / "shared" / "data" / "footage" / "two-wheelers"
VOC_TWO_WHEELER_CLASSES = {"bicycle", "motorcycle", "scooter"}
MEASURED_TWO_WHEELERS_FOUND = 20  # of 27 labelled, with the default settings (stretch, score >= 0.2)
TWO_WHEELER_FLOOR = 18

# Approximate positions (x1, y1, x2, y2) of the four clear objects in ultralytics' bus.jpg (810 x 1080).
BUS_JPG_OBJECTS = [
    ("bus", (20, 230, 805, 740)),
    ("person", (50, 400, 245, 905)),
    ("person", (222, 405, 345, 860)),
    ("person", (670, 380, 810, 875)),
]


@pytest.fixture(scope="module")
def backend() -> OnnxRuntimeBackend:
    spec = get_model_spec(CENTERNET_MODEL_ID)  # these figures are CenterNet's; SSD has tests of its own
    files = ModelFiles.of(spec)
    if not files.is_built(verify=False):
        pytest.skip(f"model {spec.id} is not built in {files.root}: run `gridwatch models build`")
    return OnnxRuntimeBackend(files.onnx, spec)


def _read(path: Path) -> NDArray[np.uint8]:
    image = cv2.imread(str(path))
    assert image is not None, f"cannot read {path}"
    return np.asarray(image, np.uint8)


def _image(name: str) -> NDArray[np.uint8]:
    path = asset_cache_dir() / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: run `gridwatch models fetch-test-assets`")
    return _read(path)


def test_backend_satisfies_the_protocol(backend: OnnxRuntimeBackend) -> None:
    assert isinstance(backend, DetectorBackend)
    assert backend.model_id == "centernet-coco80" and len(backend.class_names) == 80
    assert backend.providers[-1] == "CPUExecutionProvider"
    assert choose_providers(["NoSuchExecutionProvider", "CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_bus_jpg_yields_the_bus_and_the_persons(backend: OnnxRuntimeBackend) -> None:
    image = _image("bus.jpg")
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
    bus, zidane = _image("bus.jpg"), _image("zidane.jpg")
    batch = backend.detect_batch([bus, zidane, bus])
    assert len(batch) == 3
    for image, batched in zip([bus, zidane, bus], batch, strict=True):
        single = backend.detect(image)
        assert batched.class_name == single.class_name
        np.testing.assert_allclose(batched.xyxy, single.xyxy, atol=0.5)
    zidane_people = batch[1].of_kinds(ObjectKind.PERSON)
    assert len(zidane_people) >= 2  # the two men


def _voc_two_wheelers(xml_path: Path) -> np.ndarray:
    boxes = []
    for obj in ET.parse(xml_path).getroot().iter("object"):
        if (obj.findtext("name") or "").strip().lower() in VOC_TWO_WHEELER_CLASSES:
            box = obj.find("bndbox")
            assert box is not None
            boxes.append([float(box.findtext(k) or 0) for k in ("xmin", "ymin", "xmax", "ymax")])
    return np.array(boxes, np.float32).reshape(-1, 4)


def _found(labelled: np.ndarray, detections: Detections, kinds_backend: OnnxRuntimeBackend) -> int:
    found = detections.of_kinds(ObjectKind.TWO_WHEELER)
    if not len(labelled) or not len(found):
        return 0
    return int((box_iou(labelled, found.xyxy) >= 0.3).any(axis=1).sum())


def test_two_wheeler_photos_yield_bicycles_and_motorcycles(backend: OnnxRuntimeBackend) -> None:
    if not TWO_WHEELERS.is_dir():
        pytest.skip(f"{TWO_WHEELERS} is absent (team-internal footage)")
    images = sorted((TWO_WHEELERS / "images").glob("*.jpg"))
    total_labelled = total_found = 0
    print("\ntwo-wheelers (VOC bicycle/motorcycle/scooter found by IoU >= 0.3):")
    for path in images:
        labelled = _voc_two_wheelers(TWO_WHEELERS / "labels_voc" / f"{path.stem}.xml")
        found = _found(labelled, backend.detect(_read(path)), backend)
        total_labelled += len(labelled)
        total_found += found
        print(f"  {path.name:15s} {found}/{len(labelled)}")
    print(f"  total {total_found}/{total_labelled} (measured when written: {MEASURED_TWO_WHEELERS_FOUND}/27)")
    assert total_labelled > 0
    assert total_found >= min(TWO_WHEELER_FLOOR, total_labelled)
