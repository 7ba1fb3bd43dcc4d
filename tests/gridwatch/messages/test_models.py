"""The message classes themselves: the topic table, field documentation, immutability, consistency rules."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from gridwatch.messages import (
    CLASS_CODE_OF_RULE,
    TOPICS,
    CaseEvent,
    ClassCode,
    DeadLetter,
    Frame,
    FrameDetections,
    Incident,
    Lifecycle,
    ModelRef,
    RuleKind,
    topic_for,
    topic_named,
)
from gridwatch.messages.frames import MAX_JPEG_BYTES
from tests.gridwatch.messages import samples

EXPECTED_LAYOUT = {
    "gw.frames": ("camera_id", 8),
    "gw.detections": ("camera_id", 8),
    "gw.incidents": ("incident_id", 4),
    "gw.case-events": ("case_id", 4),
    "gw.camera-status": ("camera_id", 4),
    "gw.dlq": ("source_topic", 1),
}


#: Topics whose records changed shape since their first version (gw.detections/2: no track ids).
SCHEMA_VERSIONS = {"gw.detections": 2}


def test_topic_table_declares_each_topic_once_with_key_and_partitions() -> None:
    assert {spec.name: (spec.key_field, spec.partitions) for spec in TOPICS} == EXPECTED_LAYOUT
    assert len({spec.message_type for spec in TOPICS}) == len(TOPICS)
    for spec in TOPICS:
        assert spec.key_field in spec.message_type.model_fields
        assert spec.schema == f"{spec.name}/{SCHEMA_VERSIONS.get(spec.name, 1)}"
        assert topic_named(spec.name) is spec
        assert topic_for(spec.message_type) is spec
        assert int(spec.topic_configs()["retention.ms"]) > 0


def test_topic_for_an_undeclared_type_names_it() -> None:
    with pytest.raises(KeyError, match="ModelRef is not carried by any Gridwatch topic"):
        topic_for(ModelRef)  # type: ignore[arg-type]


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    seen.add(model)
    for field in model.model_fields.values():
        for candidate in _nested(field.annotation):
            if candidate not in seen:
                _models(candidate, seen)


def _nested(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for arg in getattr(annotation, "__args__", ()) for found in _nested(arg)]


def test_every_field_of_every_message_is_described() -> None:
    models: set[type[BaseModel]] = set()
    for spec in TOPICS:
        _models(spec.message_type, models)
    assert len(models) > len(TOPICS), "nested models are checked too"
    undocumented = [
        f"{model.__name__}.{name}"
        for model in models
        for name, field in model.model_fields.items()
        if not (field.description and field.description.strip())
    ]
    assert undocumented == []


def test_messages_are_frozen() -> None:
    message = samples.camera_status()
    with pytest.raises(ValidationError, match="frozen"):
        message.camera_id = "cam-2"  # type: ignore[misc]


def test_every_rule_has_exactly_its_class_code() -> None:
    expected = {
        RuleKind.EBIKE_PARKING: ClassCode("06"),
        RuleKind.STOREFRONT_TRADING: ClassCode("04"),
        RuleKind.MOBILE_VENDOR: ClassCode("01"),
    }
    assert expected == CLASS_CODE_OF_RULE


def _incident(**changes: Any) -> Incident:
    return Incident.model_validate(samples.incident(lifecycle=Lifecycle.UPDATE).model_dump() | changes)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"ended_at": samples.T0 + 5}, "ended_at is set only on end messages, not on update"),
        ({"revision": 1}, "an update message needs revision >= 2, got 1"),
        ({"observed_at": samples.T0 - 5}, "is before started_at"),
        ({"object_count": 1}, "2 boxes for object_count 1"),
        ({"boxes": ((0.0, 0.0, -1.0, 5.0),)}, "must have x2 > x1"),
        ({"boxes": ((-1.0, 0.0, 1.0, 5.0),)}, "negative coordinate"),
        ({"dwell_s": -1.0}, "greater than or equal to 0"),
        ({"incident_id": ""}, "at least 1 character"),
    ],
)
def test_inconsistent_incidents_are_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        _incident(**changes)


def test_an_update_incident_without_end_is_accepted() -> None:
    assert _incident().ended_at is None


def test_frame_refuses_an_oversized_jpeg() -> None:
    jpeg = b"\xff\xd8" + b"\x00" * MAX_JPEG_BYTES + b"\xff\xd9"
    with pytest.raises(ValidationError, match=f"at most {MAX_JPEG_BYTES} bytes"):
        samples.frame(jpeg=jpeg)


def test_detections_may_be_empty() -> None:
    empty = FrameDetections.model_validate(samples.detections().model_dump() | {"detections": ()})
    assert len(empty.detections) == 0 and empty.detections.xyxy.shape == (0, 4)


def test_case_event_data_takes_only_scalars() -> None:
    with pytest.raises(ValidationError, match=r"data\.items"):
        CaseEvent.model_validate(samples.case_event().model_dump() | {"data": {"items": [1, 2]}})


def test_dead_letter_keeps_a_binary_key_as_base64() -> None:
    text, is_base64 = DeadLetter.describe_key(b"\xff\x00k")
    letter = DeadLetter.model_validate(
        samples.dead_letter().model_dump() | {"key": text, "key_is_base64": is_base64}
    )
    assert letter.key_bytes() == b"\xff\x00k"
    assert DeadLetter.describe_key(b"cam-1") == ("cam-1", False)
    assert DeadLetter.describe_key(None) == (None, False)


def test_frame_repr_does_not_dump_the_image() -> None:
    assert "jpeg" not in repr(samples.frame())
    assert isinstance(samples.frame(), Frame)
