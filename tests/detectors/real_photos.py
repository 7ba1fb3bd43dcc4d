"""Real photos the detector tests read: the test-asset cache's licensed samples and the team's labelled
two-wheeler photos (team-internal: tests that need them skip, with the reason, where they are absent)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from detectors.boxes import box_iou
from detectors.models.cache import asset_cache_dir

#: The team's labelled two-wheeler photos (images/ and labels_voc/), beside the repository.
TWO_WHEELERS = Path(__file__).resolve().parents[3] / "shared" / "data" / "footage" / "two-wheelers"
#: VOC class names of the labelled two-wheelers.
VOC_TWO_WHEELER_CLASSES = {"bicycle", "motorcycle", "scooter"}
#: Approximate positions (x1, y1, x2, y2) of the four clear objects in ultralytics' bus.jpg (810 x 1080).
BUS_JPG_OBJECTS = [
    ("bus", (20, 230, 805, 740)),
    ("person", (50, 400, 245, 905)),
    ("person", (222, 405, 345, 860)),
    ("person", (670, 380, 810, 875)),
]


def read_image(path: Path) -> NDArray[np.uint8]:
    """A photo as BGR pixels; fails naming the file when it does not decode."""
    image = cv2.imread(str(path))
    assert image is not None, f"cannot read {path}"
    return np.asarray(image, np.uint8)


def asset_image(name: str) -> NDArray[np.uint8]:
    """A photo of the test-asset cache; skips when it is absent."""
    path = asset_cache_dir() / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: run `gridwatch models fetch-test-assets`")
    return read_image(path)


def voc_two_wheelers(xml_path: Path) -> NDArray[np.float32]:
    """The two-wheeler boxes of one VOC label file, (N, 4) xyxy."""
    boxes = []
    for obj in ET.parse(xml_path).getroot().iter("object"):
        if (obj.findtext("name") or "").strip().lower() in VOC_TWO_WHEELER_CLASSES:
            box = obj.find("bndbox")
            assert box is not None
            boxes.append([float(box.findtext(k) or 0) for k in ("xmin", "ymin", "xmax", "ymax")])
    return np.array(boxes, np.float32).reshape(-1, 4)


def team_two_wheelers_found(
    two_wheeler_boxes: Callable[[NDArray[np.uint8]], NDArray[np.float32]], measured: int
) -> tuple[int, int]:
    """(found, labelled) over the team's photos: a labelled two-wheeler is found when one of the boxes
    ``two_wheeler_boxes(image)`` returns overlaps it by IoU >= 0.3. Prints each photo's count and the total
    beside ``measured`` (the count when the test was written); skips where the photos are absent."""
    if not TWO_WHEELERS.is_dir():
        pytest.skip(f"{TWO_WHEELERS} is absent (team-internal photos)")
    total_labelled = total_found = 0
    print("\ntwo-wheelers (VOC bicycle/motorcycle/scooter found by IoU >= 0.3):")
    for path in sorted((TWO_WHEELERS / "images").glob("*.jpg")):
        labelled = voc_two_wheelers(TWO_WHEELERS / "labels_voc" / f"{path.stem}.xml")
        found_boxes = two_wheeler_boxes(read_image(path))
        found = int((box_iou(labelled, found_boxes) >= 0.3).any(axis=1).sum()) if len(found_boxes) else 0
        total_labelled += len(labelled)
        total_found += found
        print(f"  {path.name:15s} {found}/{len(labelled)}")
    print(f"  total {total_found}/{total_labelled} (measured when written: {measured}/27)")
    return total_found, total_labelled
