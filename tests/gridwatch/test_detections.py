"""The one `Detections` value type: validation, immutability, selection, and its message form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from detectors.class_map import coco_class_map
from gridwatch.detections import MODEL_FREE, STATIC_FOREGROUND_CLASS, Detections, ObjectKind
from gridwatch.messages import FrameDetections, ModelRef, StageTimings, decode, encode
from gridwatch.messages.topics import DETECTIONS

NAMES = ("person", "bicycle", "chair")
KINDS = (ObjectKind.PERSON, ObjectKind.TWO_WHEELER, ObjectKind.TRADING_OBJECT)


def _make(xyxy: Any, class_id: Any, score: Any, names: tuple[str, ...] = NAMES) -> Detections:
    return Detections.of_classes(
        np.asarray(xyxy, np.float32),
        np.asarray(score, np.float32),
        np.asarray(class_id),
        names,
        tuple(coco_class_map().kinds_of(names)) if names != NAMES else KINDS,
    )


def _three() -> Detections:
    return _make([[0, 0, 10, 20], [5, 5, 15, 15], [100, 50, 140, 90]], [0, 1, 2], [0.9, 0.4, 0.6])


def _message(detections: Detections, width: int = 640, height: int = 360) -> FrameDetections:
    return FrameDetections(
        camera_id="cam-1",
        seq=3,
        captured_at=1000.0,
        frame_width=width,
        frame_height=height,
        model=ModelRef(id="m", version="1"),
        detections=detections,
        timings_ms=StageTimings(decode=1, preprocess=1, infer=1, postprocess=1),
    )


def test_arrays_are_converted_and_frozen() -> None:
    detections = _three()
    assert detections.xyxy.dtype == np.float32 and detections.xyxy.shape == (3, 4)
    assert detections.class_id.dtype == np.int64
    assert detections.score.dtype == np.float32
    with pytest.raises(ValueError, match="read-only"):
        detections.score[0] = 0.1
    assert len(detections) == 3
    assert detections.class_name == ("person", "bicycle", "chair")
    assert detections.kind == KINDS


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
        ({"class_id": [-2]}, "class ids must be >= 0"),
        ({"class_name": ("a", "b")}, "class_name and kind must have 1 entries"),
        ({"kind": ()}, "class_name and kind must have 1 entries"),
        ({"class_name": ("",)}, "must not be empty"),
    ],
)
def test_invalid_values_are_rejected(change: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {
        "xyxy": np.array([[0, 0, 1, 1]], np.float32),
        "class_id": np.array([0]),
        "score": np.array([0.5], np.float32),
        "class_name": ("person",),
        "kind": (ObjectKind.PERSON,),
    }
    fields.update({k: np.asarray(v) if k in ("xyxy", "class_id", "score") else v for k, v in change.items()})
    with pytest.raises(ValueError, match=message):
        Detections(**fields)


def test_an_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="'boat' is not a valid ObjectKind"):
        Detections(
            np.zeros((1, 4), np.float32),
            np.ones(1, np.float32),
            np.zeros(1, np.int64),
            ("x",),
            ("boat",),  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("class_id", [3, -1])
def test_model_class_ids_must_index_the_class_names(class_id: int) -> None:
    with pytest.raises(ValueError, match="index the class names"):
        _make([[0, 0, 1, 1]], [class_id], [0.5])


def test_float_class_ids_are_rejected() -> None:
    with pytest.raises(TypeError):
        Detections(np.zeros((1, 4), np.float32), np.ones(1, np.float32), np.array([0.5]), ("a",), KINDS[:1])


def test_empty_has_consistent_shapes() -> None:
    empty = Detections.empty()
    assert len(empty) == 0 and empty.xyxy.shape == (0, 4) and empty.class_id.shape == (0,)
    assert empty.class_name == () and empty.kind == ()
    assert len(empty.with_min_score(0.5)) == 0


def test_select_by_mask_and_by_index_keeps_order() -> None:
    detections = _three()
    by_mask = detections.select(np.array([True, False, True]))
    assert by_mask.class_name == ("person", "chair") and by_mask.kind == (KINDS[0], KINDS[2])
    by_index = detections.select([2, 0])
    assert by_index.class_name == ("chair", "person")
    assert by_index.score.tolist() == pytest.approx([0.6, 0.9])
    with pytest.raises(ValueError, match="mask"):
        detections.select(np.array([True, False]))


def test_with_min_score_keeps_model_free_signals_and_of_kinds_filters() -> None:
    detections = Detections.merge(
        [
            _three(),
            Detections.model_free([[1, 1, 9, 9]], STATIC_FOREGROUND_CLASS, ObjectKind.TRADING_OBJECT, [0.2]),
        ]
    )
    assert detections.with_min_score(0.5).class_name == ("person", "chair", STATIC_FOREGROUND_CLASS)
    assert detections.model_free_mask.tolist() == [False, False, False, True]
    assert detections.class_id.tolist() == [0, 1, 2, MODEL_FREE]
    trading = detections.of_kinds(ObjectKind.TRADING_OBJECT)
    assert trading.class_name == ("chair", STATIC_FOREGROUND_CLASS)
    both = detections.of_kinds(ObjectKind.PERSON, ObjectKind.TWO_WHEELER)
    assert both.class_name == ("person", "bicycle")


def test_geometry_helpers() -> None:
    detections = _three()
    assert detections.area.tolist() == [200.0, 100.0, 1600.0]
    assert detections.bottom_centre.tolist()[2] == [120.0, 90.0]
    doubled = detections.scaled(2.0, 3.0)
    assert doubled.xyxy[2].tolist() == [200.0, 150.0, 280.0, 270.0]
    assert doubled.class_name == detections.class_name
    assert detections.with_min_side(11).class_name == ("chair",)


def test_the_message_form_round_trips_through_the_codec() -> None:
    detections = _three()
    message = _message(detections)
    raw = encode(message)
    assert (
        b'"box":[5.0,5.0,15.0,15.0],"class_id":1,"class_name":"bicycle","kind":"two_wheeler","score":0.4'
        in raw
    )
    back = decode(DETECTIONS, raw)
    assert isinstance(back, FrameDetections)
    np.testing.assert_allclose(back.detections.xyxy, detections.xyxy)
    np.testing.assert_allclose(back.detections.score, detections.score, atol=1e-4)
    assert back.detections.class_id.tolist() == [0, 1, 2]
    assert back.detections.kind == KINDS


def test_the_message_rejects_boxes_outside_the_frame_and_bad_wire_rows() -> None:
    with pytest.raises(ValidationError, match=r"detections\[2\].box .* lies outside the 120x360 frame"):
        _message(_three(), width=120)
    raw = encode(_message(_three())).replace(b'"kind":"two_wheeler"', b'"kind":"boat"')
    with pytest.raises(Exception, match="kind"):
        decode(DETECTIONS, raw)


def _standing() -> Detections:
    """A model's three detections and two static-foreground boxes, one of which had stood 42.5 s."""
    static = Detections.model_free(
        [[1, 1, 9, 9], [20, 20, 40, 40]],
        STATIC_FOREGROUND_CLASS,
        ObjectKind.TRADING_OBJECT,
        [0.5, 0.7],
        stood_s=[42.5, 0.0],
    )
    return Detections.merge([_three(), static])


def test_standing_time_travels_with_its_rows_and_is_validated() -> None:
    detections = _standing()
    assert detections.stood.tolist() == [0.0, 0.0, 0.0, 42.5, 0.0]  # model rows: unmeasured
    assert detections.select([3, 0]).stood.tolist() == [42.5, 0.0]
    assert detections.scaled(2.0, 2.0).stood.tolist() == detections.stood.tolist()
    assert detections.with_appearance(np.zeros((5, 2), np.uint8)).stood.tolist()[3] == 42.5
    unmeasured = Detections(
        detections.xyxy, detections.score, detections.class_id, detections.class_name, detections.kind
    )
    assert unmeasured != detections and unmeasured.stood.tolist() == [0.0] * 5  # equality reads it too
    with pytest.raises(ValueError, match="stood_s must be finite and >= 0"):
        Detections.model_free(
            [[1, 1, 9, 9]], STATIC_FOREGROUND_CLASS, ObjectKind.TRADING_OBJECT, stood_s=[-1]
        )
    with pytest.raises(ValueError, match="stood_s must have shape"):
        Detections.model_free(
            [[1, 1, 9, 9]], STATIC_FOREGROUND_CLASS, ObjectKind.TRADING_OBJECT, stood_s=[1, 2]
        )


def test_standing_time_is_on_the_wire_only_where_measured() -> None:
    raw = encode(_message(_standing()))
    assert raw.count(b'"stood_s"') == 1 and b'"stood_s":42.5' in raw
    back = decode(DETECTIONS, raw)
    assert isinstance(back, FrameDetections)
    assert back.detections.stood.tolist() == [0.0, 0.0, 0.0, 42.5, 0.0]
    assert back.detections == _standing()
    negative = raw.replace(b'"stood_s":42.5', b'"stood_s":-3.0')
    with pytest.raises(Exception, match="stood_s"):
        decode(DETECTIONS, negative)
