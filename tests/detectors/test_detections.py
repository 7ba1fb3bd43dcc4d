"""The `Detections` value type: validation, immutability, selection and the message form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from detectors.class_map import ClassMap, ObjectKind, coco_class_map
from detectors.coco import COCO80_CLASS_NAMES
from detectors.detections import NO_TRACK, Detections
from gridwatch.messages.detections import Detection

NAMES = ("person", "bicycle", "chair")


def _make(xyxy: Any, class_id: Any, score: Any, class_names: tuple[str, ...] = NAMES) -> Detections:
    return Detections(
        xyxy=np.asarray(xyxy, np.float32),
        class_id=np.asarray(class_id),
        score=np.asarray(score, np.float32),
        class_names=class_names,
    )


def _three() -> Detections:
    return _make([[0, 0, 10, 20], [5, 5, 15, 15], [100, 50, 140, 90]], [0, 1, 2], [0.9, 0.4, 0.6])


def test_arrays_are_converted_frozen_and_untracked_by_default() -> None:
    detections = _three()
    assert detections.xyxy.dtype == np.float32 and detections.xyxy.shape == (3, 4)
    assert detections.class_id.dtype == np.int64
    assert detections.score.dtype == np.float32
    assert detections.track_id.tolist() == [NO_TRACK] * 3
    with pytest.raises(ValueError, match="read-only"):
        detections.score[0] = 0.1
    assert len(detections) == 3
    assert detections.names == ["person", "bicycle", "chair"]


def test_input_arrays_are_copied_not_shared() -> None:
    boxes = np.array([[0, 0, 1, 1]], np.float32)
    detections = _make(boxes, [0], [0.5])
    boxes[0, 0] = 0.5
    assert detections.xyxy[0, 0] == 0.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"xyxy": [[0, 0, 1]]}, "shape"),
        ({"class_id": [0, 1]}, "class_id must have shape"),
        ({"score": [1.5]}, r"\[0, 1\]"),
        ({"score": [float("nan")]}, r"\[0, 1\]"),
        ({"xyxy": [[10, 0, 5, 5]]}, "x1 <= x2"),
        ({"xyxy": [[0, 0, float("inf"), 5]]}, "finite"),
        ({"class_id": [3]}, "index class_names"),
        ({"class_id": [-1]}, "index class_names"),
        ({"track_id": [1, 2]}, "track_id must have shape"),
    ],
)
def test_invalid_values_are_rejected(change: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {"xyxy": [[0, 0, 1, 1]], "class_id": [0], "score": [0.5], "class_names": NAMES}
    fields.update(change)
    with pytest.raises(ValueError, match=message):
        Detections(**fields)


def test_float_class_ids_are_rejected() -> None:
    with pytest.raises(TypeError):
        _make([[0, 0, 1, 1]], [0.5], [0.5])


def test_empty_has_consistent_shapes() -> None:
    empty = Detections.empty(NAMES)
    assert len(empty) == 0 and empty.xyxy.shape == (0, 4) and empty.track_id.shape == (0,)
    assert empty.to_messages(coco_class_map()) == []
    assert len(empty.with_min_score(0.5)) == 0


def test_select_by_mask_and_by_index_keeps_order() -> None:
    detections = _three().with_track_ids([7, 8, 9])
    by_mask = detections.select(np.array([True, False, True]))
    assert by_mask.track_id.tolist() == [7, 9] and by_mask.names == ["person", "chair"]
    by_index = detections.select([2, 0])
    assert by_index.track_id.tolist() == [9, 7]
    with pytest.raises(ValueError, match="mask"):
        detections.select(np.array([True, False]))


def test_with_min_score_and_of_kinds() -> None:
    detections = _three()
    assert detections.with_min_score(0.5).names == ["person", "chair"]
    trading = detections.of_kinds(coco_class_map(), ObjectKind.TRADING_OBJECT)
    assert trading.names == ["chair"]
    both = detections.of_kinds(coco_class_map(), ObjectKind.PERSON, ObjectKind.TWO_WHEELER)
    assert both.names == ["person", "bicycle"]


def test_geometry_helpers() -> None:
    detections = _three()
    assert detections.area.tolist() == [200.0, 100.0, 1600.0]
    assert detections.bottom_centre.tolist()[2] == [120.0, 90.0]


def test_messages_round_trip() -> None:
    detections = _three().with_track_ids([3, -1, 5])
    messages = detections.to_messages(coco_class_map())
    assert messages[1] == {
        "box": [5.0, 5.0, 15.0, 15.0],
        "class_id": 1,
        "class_name": "bicycle",
        "kind": "two_wheeler",
        "score": 0.4,
        "track_id": None,
    }
    for message in messages:  # the dicts are valid gw.detections wire records
        assert Detection.model_validate(message).class_name == message["class_name"]
    assert messages[2]["kind"] == "trading_object"
    back = Detections.from_messages(messages, NAMES)
    np.testing.assert_allclose(back.xyxy, detections.xyxy)
    np.testing.assert_allclose(back.score, detections.score, atol=1e-4)
    assert back.track_id.tolist() == [3, -1, 5]
    assert back.class_id.tolist() == [0, 1, 2]


def test_from_messages_rejects_class_name_mismatch() -> None:
    message = _three().to_messages(coco_class_map())[0]
    with pytest.raises(ValueError, match="does not match"):
        Detections.from_messages([message], ("bicycle", "person"))


def test_custom_class_map_plugs_in() -> None:
    names = ("ebike", "stall", "goods", "cat")
    class_map = ClassMap(kinds={"ebike": "two_wheeler", "stall": "trading_object", "goods": "trading_object"})
    detections = _make([[0, 0, 1, 1]] * 4, [0, 1, 2, 3], [0.5] * 4, names)
    assert detections.kinds(class_map) == [
        ObjectKind.TWO_WHEELER,
        ObjectKind.TRADING_OBJECT,
        ObjectKind.TRADING_OBJECT,
        ObjectKind.OTHER,
    ]
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
