"""Every message type through the real broker: read back equal, keyed, in the partition of its key."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kafka.partitioner.default import murmur2
from kafka.structs import TopicPartition

from gridwatch.broker.clients import make_consumer
from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import GwMessage, decode_record, encode, key_of, topic_for, topic_of
from tests.gridwatch.messages import samples

pytestmark = pytest.mark.integration


def _unique_messages() -> list[GwMessage]:
    tag = uuid.uuid4().hex[:8]
    return [
        samples.frame(f"cam-{tag}-a"),
        samples.frame(f"cam-{tag}-b", seq=8),
        samples.detections(f"cam-{tag}-a"),
        samples.incident(f"inc-{tag}"),
        samples.case_event(f"case-{tag}"),
        samples.camera_status(f"cam-{tag}-a"),
        samples.dead_letter(),
    ]


def test_every_message_type_comes_back_equal_in_the_partition_of_its_key(
    kafka_broker: KafkaSettings, kafka_producer: Any
) -> None:
    messages = _unique_messages()
    sent = []
    for message in messages:
        metadata = kafka_producer.send(topic_of(message), key=key_of(message), value=encode(message)).get(10)
        sent.append((message, metadata.partition, metadata.offset))

    consumer = make_consumer(kafka_broker, group_id=None)
    try:
        for message, partition, offset in sent:
            spec = topic_for(type(message))
            assert partition == (murmur2(key_of(message)) & 0x7FFFFFFF) % spec.partitions
            tp = TopicPartition(spec.name, partition)
            consumer.assign([tp])
            consumer.seek(tp, offset)
            records = consumer.poll(timeout_ms=5000, max_records=1).get(tp, [])
            assert len(records) == 1, f"{spec.name}[{partition}]@{offset} not read back"
            record = records[0]
            assert (record.offset, record.key) == (offset, key_of(message))
            assert decode_record(record.topic, record.key, record.value) == message
    finally:
        consumer.close()


def test_a_camera_keeps_one_partition_and_its_order(kafka_broker: KafkaSettings, kafka_producer: Any) -> None:
    camera = f"cam-{uuid.uuid4().hex[:8]}"
    frames = [samples.frame(camera, seq=seq) for seq in range(5)]
    placed = {kafka_producer.send("gw.frames", key=key_of(f), value=encode(f)).get(10) for f in frames}
    assert len({m.partition for m in placed}) == 1
    assert sorted(m.offset for m in placed) == list(
        range(min(m.offset for m in placed), min(m.offset for m in placed) + 5)
    )
