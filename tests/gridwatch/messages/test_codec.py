"""Round trips of every message type through the codec, and the frame envelope layout."""

from __future__ import annotations

import json
import struct

import cv2
import numpy as np
import pytest

from gridwatch.messages import (
    TOPICS,
    Frame,
    FrameDetections,
    GwMessage,
    decode,
    decode_as,
    decode_record,
    encode,
    key_of,
    topic_of,
)
from gridwatch.messages.codec import FRAME_MAGIC
from tests.gridwatch.messages import samples

EVERY_MESSAGE = samples.every_message()


@pytest.mark.parametrize("message", EVERY_MESSAGE, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_equal(message: GwMessage) -> None:
    topic = topic_of(message)
    decoded = decode_record(topic, key_of(message), encode(message))
    assert decoded == message
    assert type(decoded) is type(message)


def test_every_declared_topic_has_a_sample() -> None:
    assert [topic_of(m) for m in EVERY_MESSAGE] == [spec.name for spec in TOPICS]


@pytest.mark.parametrize(
    ("message", "key"),
    [
        (samples.frame("cam-9"), b"cam-9"),
        (samples.detections("cam-8"), b"cam-8"),
        (samples.incident("inc-1"), b"inc-1"),
        (samples.case_event("case-1"), b"case-1"),
        (samples.camera_status("cam-7"), b"cam-7"),
        (samples.dead_letter(), b"gw.detections"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, GwMessage) else v.decode(),
)
def test_key_is_the_declared_key_field(message: GwMessage, key: bytes) -> None:
    assert key_of(message) == key


def test_json_messages_carry_their_schema_version() -> None:
    document = json.loads(encode(samples.detections()))
    assert document["schema_version"] == "gw.detections/2"
    assert document["detections"][0]["box"] == [10.0, 20.5, 110.0, 200.0]


def test_frame_envelope_carries_raw_jpeg_after_a_json_header() -> None:
    jpeg = samples.TINY_JPEG[:-2] + bytes(range(256)) * 40 + b"\xff\xd9"
    value = encode(samples.frame(jpeg=jpeg))
    magic, version, header_length = struct.unpack_from(">4sBI", value)
    assert (magic, version) == (FRAME_MAGIC, 1)
    header = json.loads(value[9 : 9 + header_length])
    assert header["schema_version"] == "gw.frames/1"
    assert "jpeg" not in header
    assert value[9 + header_length :] == jpeg
    assert len(value) - len(jpeg) < 300, "the envelope must not inflate the JPEG"


def test_a_real_jpeg_survives_the_envelope_byte_for_byte() -> None:
    image = np.random.default_rng(1).integers(0, 255, size=(360, 640, 3), dtype=np.uint8)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    jpeg = buffer.tobytes()
    decoded = decode_as(Frame, encode(samples.frame(jpeg=jpeg)))
    assert decoded.jpeg == jpeg
    restored = cv2.imdecode(np.frombuffer(decoded.jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert restored is not None and restored.shape == (360, 640, 3)


def test_decode_as_returns_the_asked_type() -> None:
    message = decode_as(FrameDetections, encode(samples.detections()))
    assert isinstance(message, FrameDetections)
    assert message.detections.class_name == ("motorcycle", "person")


def test_decode_without_key_check_accepts_any_key() -> None:
    assert decode("gw.camera-status", encode(samples.camera_status())) == samples.camera_status()
