"""Class maps: what a model's class names mean to the rules."""

from __future__ import annotations

import pytest

from detectors.class_map import ClassMap, coco_class_map
from detectors.coco import COCO80_CLASS_NAMES
from gridwatch.detections import Detections, ObjectKind


def test_custom_class_map_plugs_in() -> None:
    names = ("ebike", "stall", "goods", "cat")
    class_map = ClassMap(kinds={"ebike": "two_wheeler", "stall": "trading_object", "goods": "trading_object"})
    detections = Detections.of_classes(
        [[0, 0, 1, 1]] * 4, [0.5] * 4, [0, 1, 2, 3], names, class_map.kinds_of(names)
    )
    assert detections.kind == (
        ObjectKind.TWO_WHEELER,
        ObjectKind.TRADING_OBJECT,
        ObjectKind.TRADING_OBJECT,
        ObjectKind.OTHER,
    )
    with pytest.raises(ValueError, match="extra"):
        ClassMap.model_validate({"kinds": {}, "unknown": 1})


def test_coco_class_map_decisions() -> None:
    class_map = coco_class_map()
    assert len(COCO80_CLASS_NAMES) == 80
    assert class_map.classes_of(ObjectKind.TWO_WHEELER, COCO80_CLASS_NAMES) == ["bicycle", "motorcycle"]
    assert class_map.classes_of(ObjectKind.VEHICLE, COCO80_CLASS_NAMES) == ["car", "bus", "truck"]
    assert set(class_map.kinds) <= set(COCO80_CLASS_NAMES)  # no misspelt class names
    for carried_or_fixed in ("backpack", "handbag", "bench"):
        assert class_map.kind_of(carried_or_fixed) is ObjectKind.OTHER
