"""Every way a record can be wrong, each with the reason a reader (and gw.dlq) gets."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest

from gridwatch.messages import GwMessage, Lifecycle, MalformedMessage, decode, decode_record, encode, key_of
from tests.gridwatch.messages import samples


def _document(message: GwMessage) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(message.model_dump_json())
    return document


def _json(message: GwMessage, path: str, value: Any) -> bytes:
    """The message as JSON with the field at a dotted path (list indexes as numbers) set or deleted."""
    document = _document(message)
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return json.dumps(document).encode()


_DELETE = object()


def _envelope(
    header: bytes, jpeg: bytes = samples.TINY_JPEG, *, magic: bytes = b"GWFR", version: int = 1
) -> bytes:
    return struct.pack(">4sBI", magic, version, len(header)) + header + jpeg


def _frame_header(**changes: Any) -> bytes:
    header = _document(samples.frame())
    del header["jpeg"]
    for name, value in changes.items():
        if value is _DELETE:
            del header[name]
        else:
            header[name] = value
    return json.dumps(header).encode()


FRAME = "gw.frames"
DETECTIONS = "gw.detections"
INCIDENTS = "gw.incidents"

MALFORMED: list[tuple[str, str, bytes | None, str]] = [
    ("unknown topic", "gw.nope", b"{}", "'gw.nope' is not a Gridwatch topic"),
    ("tombstone", FRAME, None, "record has no value (a tombstone)"),
    ("empty value", DETECTIONS, b"", "record value is empty"),
    ("short envelope", FRAME, b"GWF", "not a frame envelope: 3 bytes, shorter than the 9-byte prefix"),
    ("bad magic", FRAME, _envelope(_frame_header(), magic=b"XXXX"), "starts with b'XXXX' instead of b'GWFR'"),
    (
        "envelope version",
        FRAME,
        _envelope(_frame_header(), version=2),
        "unsupported frame envelope version 2",
    ),
    (
        "header past the end",
        FRAME,
        struct.pack(">4sBI", b"GWFR", 1, 500) + b"{}",
        "truncated frame envelope: header length 500 but only 2 bytes follow",
    ),
    ("header not JSON", FRAME, _envelope(b"{camera"), "frame header is not JSON: Expecting property name"),
    ("header is a list", FRAME, _envelope(b"[]"), "frame header is a JSON array, expected an object"),
    (
        "jpeg inside the header",
        FRAME,
        _envelope(_frame_header(jpeg="AAAA")),
        "frame header must not contain 'jpeg'",
    ),
    (
        "JPEG without SOI",
        FRAME,
        _envelope(_frame_header(), b"\x89PNG\r\n\x1a\n\xff\xd9"),
        "not a JPEG: starts with 8950",
    ),
    (
        "JPEG without EOI",
        FRAME,
        _envelope(_frame_header(), samples.TINY_JPEG[:-2] + b"\x00\x00"),
        "truncated JPEG",
    ),
    (
        "JPEG too short",
        FRAME,
        _envelope(_frame_header(), b"\xff\xd8\xff\xd9"),
        "invalid gw.frames/1 record: jpeg: Data should have at least 8 bytes",
    ),
    ("frame field missing", FRAME, _envelope(_frame_header(camera_id=_DELETE)), "camera_id: Field required"),
    (
        "frame reason unknown",
        FRAME,
        _envelope(_frame_header(reason="boredom")),
        "reason: Input should be 'first'",
    ),
    (
        "negative seq",
        FRAME,
        _envelope(_frame_header(seq=-1)),
        "seq: Input should be greater than or equal to 0",
    ),
    (
        "JSON on the frames topic",
        FRAME,
        encode(samples.detections()),
        "the value is JSON with schema 'gw.detections/2', which belongs on topic gw.detections, "
        "not gw.frames",
    ),
    (
        "frame on a JSON topic",
        DETECTIONS,
        encode(samples.frame()),
        "the value is a frame envelope, which belongs on gw.frames, not gw.detections",
    ),
    ("not UTF-8", DETECTIONS, b"\xff\xfe{}", "value is not JSON: invalid UTF-8 at byte 0"),
    ("not JSON", DETECTIONS, b"hello", "value is not JSON: Expecting value at line 1 column 1"),
    ("JSON array", DETECTIONS, b"[1, 2]", "value is a JSON array, expected an object"),
    (
        "no schema",
        DETECTIONS,
        _json(samples.detections(), "schema_version", _DELETE),
        "missing schema_version",
    ),
    (
        "schema not a string",
        DETECTIONS,
        _json(samples.detections(), "schema_version", 1),
        "schema_version is a JSON number, expected the string 'gw.detections/2'",
    ),
    (
        "newer schema",
        DETECTIONS,
        _json(samples.detections(), "schema_version", "gw.detections/1"),
        "unsupported schema version 'gw.detections/1' (this reader knows 'gw.detections/2')",
    ),
    (
        "unknown schema",
        DETECTIONS,
        _json(samples.detections(), "schema_version", "foo/1"),
        "unknown schema 'foo/1'",
    ),
    (
        "wrong topic for the type",
        DETECTIONS,
        encode(samples.incident()),
        "schema 'gw.incidents/1' belongs on topic gw.incidents, not gw.detections",
    ),
    (
        "box outside the frame",
        DETECTIONS,
        _json(samples.detections(), "detections.0.box", [10, 20, 700, 200]),
        "detections[0].box [10.0, 20.0, 700.0, 200.0] lies outside the 640x360 frame",
    ),
    (
        "box inverted",
        DETECTIONS,
        _json(samples.detections(), "detections.0.box", [110, 20, 10, 200]),
        "detections[0].box: box [110.0, 20.0, 10.0, 200.0] must have x2 > x1 and y2 > y1",
    ),
    (
        "box of three numbers",
        DETECTIONS,
        _json(samples.detections(), "detections.1.box", [1, 2, 3]),
        "detections[1].box[3]: Field required",
    ),
    (
        "score above 1",
        DETECTIONS,
        _json(samples.detections(), "detections.1.score", 1.5),
        "detections[1].score: Input should be less than or equal to 1",
    ),
    (
        "score NaN",
        DETECTIONS,
        _json(samples.detections(), "detections.1.score", float("nan")),
        "detections[1].score",
    ),
    (
        "unknown object kind",
        DETECTIONS,
        _json(samples.detections(), "detections.0.kind", "dragon"),
        "detections[0].kind: Input should be 'two_wheeler', 'person', 'trading_object', 'vehicle' or 'other'",
    ),
    (
        "extra field",
        DETECTIONS,
        _json(samples.detections(), "colour", "red"),
        "invalid gw.detections/2 record: colour: Extra inputs are not permitted",
    ),
    (
        "missing timing",
        DETECTIONS,
        _json(samples.detections(), "timings_ms.infer", _DELETE),
        "timings_ms.infer: Field required",
    ),
    (
        "end without ended_at",
        INCIDENTS,
        _json(samples.incident(), "ended_at", None),
        "invalid gw.incidents/1 record: an end message needs ended_at",
    ),
    (
        "ended before started",
        INCIDENTS,
        _json(samples.incident(), "ended_at", samples.T0 - 1),
        f"ended_at {samples.T0 - 1} is before started_at {samples.T0}",
    ),
    (
        "class code of another rule",
        INCIDENTS,
        _json(samples.incident(), "class_code", "04"),
        "class_code '04' does not match rule 'ebike_parking' (expected '06')",
    ),
    (
        "new with a later revision",
        INCIDENTS,
        _json(samples.incident(lifecycle=Lifecycle.NEW), "revision", 2),
        "a new incident has revision 1, got 2",
    ),
    (
        "nested value in case data",
        "gw.case-events",
        _json(samples.case_event(), "data.assignee_id", {"id": 1}),
        "data.assignee_id.str: Input should be a valid string",
    ),
    (
        "bad data key",
        "gw.case-events",
        _json(samples.case_event(), "data.Bad Key", 1),
        "data.Bad Key.[key]: String should match pattern",
    ),
    (
        "negative counter",
        "gw.camera-status",
        _json(samples.camera_status(), "counters.dropped", -3),
        "counters.dropped: Input should be greater than or equal to 0",
    ),
    (
        "camera id with a space",
        "gw.camera-status",
        _json(samples.camera_status(), "camera_id", "cam 1"),
        "camera_id: String should match pattern",
    ),
    (
        "offline status unknown",
        "gw.camera-status",
        _json(samples.camera_status(), "status", "asleep"),
        "status: Input should be 'online', 'degraded', 'offline' or 'finished'",
    ),
    (
        "dead letter payload not base64",
        "gw.dlq",
        _json(samples.dead_letter(), "payload", "###"),
        "payload: Data should be valid base64",
    ),
    (
        "dead letter truncation flag wrong",
        "gw.dlq",
        _json(samples.dead_letter(), "payload_truncated", True),
        "payload_truncated=True contradicts 9 payload bytes of 9",
    ),
]


@pytest.mark.parametrize(
    ("topic", "value", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_record_is_rejected_with_its_reason(topic: str, value: bytes | None, reason: str) -> None:
    with pytest.raises(MalformedMessage) as caught:
        decode(topic, value)
    assert reason in caught.value.reason
    assert caught.value.topic == topic
    assert str(caught.value).startswith(f"{topic}: ")


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (b"cam-999", "record key 'cam-999' does not match camera_id 'cam-001'"),
        (None, "record key (none) does not match camera_id 'cam-001'"),
        (b"\xff\x00", "record key 0xff00 does not match camera_id 'cam-001'"),
    ],
)
def test_record_key_must_be_the_message_key(key: bytes | None, reason: str) -> None:
    message = samples.camera_status()
    with pytest.raises(MalformedMessage, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode_record("gw.camera-status", key, encode(message))
    assert decode_record("gw.camera-status", key_of(message), encode(message)) == message


def test_many_field_errors_are_summarised() -> None:
    document = _document(samples.camera_status())
    document["counters"] = dict.fromkeys(document["counters"], -1) | {"x": 1, "y": 2}
    with pytest.raises(MalformedMessage) as caught:
        decode("gw.camera-status", json.dumps(document).encode())
    assert caught.value.reason.endswith("; and 2 more")
    assert caught.value.reason.count(";") == 5
