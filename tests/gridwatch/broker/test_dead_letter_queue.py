"""A malformed record produced raw ends up in gw.dlq with its reason; the consumer goes on."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kafka.structs import TopicPartition

from gridwatch.broker.clients import make_consumer
from gridwatch.broker.dead_letter import DeadLetterRouter, consume_decoded
from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import CameraStatus, DeadLetter, GwMessage, decode_as, encode, key_of
from tests.gridwatch.messages import samples

pytestmark = pytest.mark.integration


def _dead_letters(settings: KafkaSettings, consumer_name: str) -> list[DeadLetter]:
    reader = make_consumer(settings, group_id=None)
    tp = TopicPartition("gw.dlq", 0)
    try:
        reader.assign([tp])
        reader.seek_to_beginning(tp)
        letters = []
        while batch := reader.poll(timeout_ms=1000).get(tp, []):
            letters += [decode_as(DeadLetter, r.value) for r in batch]
        return [letter for letter in letters if letter.consumer == consumer_name]
    finally:
        reader.close()


def test_malformed_record_lands_in_dlq_and_the_next_good_one_is_handled(
    kafka_broker: KafkaSettings, kafka_producer: Any, unique_group_id: str
) -> None:
    camera = f"cam-{uuid.uuid4().hex[:8]}"
    good = samples.camera_status(camera)
    bad = kafka_producer.send(
        "gw.camera-status", key=key_of(good), value=b'{"schema_version": "gw.camera-status/1"}'
    )
    bad_metadata = bad.get(10)
    crash = samples.camera_status(f"{camera}-crash")
    kafka_producer.send("gw.camera-status", key=key_of(crash), value=encode(crash)).get(10)
    good_metadata = kafka_producer.send("gw.camera-status", key=key_of(good), value=encode(good)).get(10)

    handled: list[CameraStatus] = []

    def handler(message: GwMessage) -> None:
        assert isinstance(message, CameraStatus)
        if message.camera_id == crash.camera_id:
            raise RuntimeError("handler bug")
        if message.camera_id == camera:
            handled.append(message)

    consumer = make_consumer(kafka_broker, group_id=unique_group_id, topics=["gw.camera-status"])
    consumer_name = f"test-status-{camera}"
    try:
        router = DeadLetterRouter(kafka_producer, consumer_name)
        stats = consume_decoded(
            consumer, handler, router, should_stop=lambda: bool(handled), poll_timeout_ms=200
        )
        tp = TopicPartition("gw.camera-status", good_metadata.partition)
        committed = consumer.committed(tp)
    finally:
        consumer.close()

    assert handled == [good]
    assert stats.dead_lettered >= 2
    assert committed is not None and committed >= good_metadata.offset + 1
    letters = {
        (letter.partition, letter.offset): letter for letter in _dead_letters(kafka_broker, consumer_name)
    }
    malformed = letters[(bad_metadata.partition, bad_metadata.offset)]
    assert malformed.source_topic == "gw.camera-status"
    assert malformed.key == camera
    assert malformed.payload == b'{"schema_version": "gw.camera-status/1"}'
    assert "camera_id: Field required" in malformed.reason
    assert any(letter.reason == "handler failed: RuntimeError: handler bug" for letter in letters.values())
