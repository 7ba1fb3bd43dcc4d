"""consume_decoded with in-memory stand-ins for the consumer and producer (the broker tests use real ones)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pytest

from gridwatch.broker.dead_letter import ConsumeStats, DeadLetterRouter, consume_decoded
from gridwatch.messages import CameraStatus, DeadLetter, GwMessage, decode_as, encode, key_of
from tests.gridwatch.messages import samples

Record = namedtuple("Record", "topic partition offset key value")
TopicPartition = namedtuple("TopicPartition", "topic partition")
TP = TopicPartition("gw.camera-status", 0)


class FakeFuture:
    def get(self, timeout: float) -> None:
        return None


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    def send(self, topic: str, *, key: bytes, value: bytes) -> FakeFuture:
        self.sent.append((topic, key, value))
        return FakeFuture()


class FakeConsumer:
    def __init__(self, records: list[Record]) -> None:
        self.records = records
        self.position = 0
        self.config = {"group_id": "g"}
        self.commits: list[dict[Any, Any]] = []
        self.seeks: list[tuple[Any, int]] = []

    def poll(self, timeout_ms: int, max_records: int | None) -> dict[Any, list[Record]]:
        batch = self.records[self.position : self.position + (max_records or len(self.records))]
        self.position += len(batch)
        return {TP: batch} if batch else {}

    def commit(self, offsets: dict[Any, Any]) -> None:
        self.commits.append(offsets)

    def seek(self, partition: Any, offset: int) -> None:
        self.seeks.append((partition, offset))


def _status(camera_id: str) -> tuple[bytes, bytes]:
    message = samples.camera_status(camera_id)
    return key_of(message), encode(message)


def _records() -> list[Record]:
    good_key, good_value = _status("cam-1")
    boom_key, boom_value = _status("cam-boom")
    other_key, other_value = _status("cam-2")
    return [
        Record("gw.camera-status", 0, 0, good_key, good_value),
        Record("gw.camera-status", 0, 1, b"cam-x", b"not json"),
        Record("gw.camera-status", 0, 2, boom_key, boom_value),
        Record("gw.camera-status", 0, 3, other_key, other_value),
    ]


def _letters(producer: FakeProducer) -> list[DeadLetter]:
    assert all(topic == "gw.dlq" for topic, _key, _value in producer.sent)
    return [decode_as(DeadLetter, value) for _topic, _key, value in producer.sent]


def test_bad_records_and_failing_handlers_are_dead_lettered_and_the_loop_goes_on() -> None:
    handled: list[str] = []

    def handler(message: GwMessage) -> None:
        assert isinstance(message, CameraStatus)
        if message.camera_id == "cam-boom":
            raise RuntimeError("zone table missing")
        handled.append(message.camera_id)

    consumer, producer = FakeConsumer(_records()), FakeProducer()
    router = DeadLetterRouter(producer, "status-writer", clock=lambda: 5.0)
    stats = consume_decoded(consumer, handler, router, max_records=4)
    assert stats == ConsumeStats(handled=2, dead_lettered=2)
    assert handled == ["cam-1", "cam-2"]
    letters = _letters(producer)
    assert [(d.offset, d.reason) for d in letters] == [
        (1, "value is not JSON: Expecting value at line 1 column 1"),
        (2, "handler failed: RuntimeError: zone table missing"),
    ]
    assert (
        letters[0].payload == b"not json"
        and letters[0].key == "cam-x"
        and letters[0].consumer == "status-writer"
    )
    assert consumer.commits[-1][TP].offset == 4


def test_a_fatal_error_propagates_after_committing_what_was_done_and_rewinds() -> None:
    def handler(message: GwMessage) -> None:
        if isinstance(message, CameraStatus) and message.camera_id == "cam-boom":
            raise ConnectionError("database down")

    consumer, producer = FakeConsumer(_records()), FakeProducer()
    router = DeadLetterRouter(producer, "status-writer")
    with pytest.raises(ConnectionError, match="database down"):
        consume_decoded(consumer, handler, router, fatal=(ConnectionError,))
    assert consumer.commits[-1][TP].offset == 2, "records 0 and 1 are done, 2 is not"
    assert consumer.seeks == [(TP, 2)]
    assert len(producer.sent) == 1


def test_payloads_are_truncated_with_a_flag() -> None:
    router = DeadLetterRouter(FakeProducer(), "c", max_payload_bytes=4)
    letter = router.letter_for(
        topic="gw.frames", partition=1, offset=9, key=b"\xff", value=b"0123456789", reason="r"
    )
    assert (letter.payload, letter.payload_size, letter.payload_truncated) == (b"0123", 10, True)
    assert letter.key_is_base64 and letter.key_bytes() == b"\xff"


def test_router_and_loop_refuse_bad_arguments() -> None:
    with pytest.raises(ValueError, match="consumer_name is blank"):
        DeadLetterRouter(FakeProducer(), " ")
    with pytest.raises(ValueError, match="max_records must be at least 1"):
        consume_decoded(
            FakeConsumer([]), lambda m: None, DeadLetterRouter(FakeProducer(), "c"), max_records=0
        )
