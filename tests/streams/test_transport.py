"""The streams transport's seek after a rebalance or a recovery: the real broker, a real aiokafka consumer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import by_url

from gridwatch.broker import KafkaSettings
from gridwatch.messages.topics import DETECTIONS, INCIDENTS
from streams.app import faust_options
from streams.settings import StreamsSettings
from streams.transport import KafkaTransport, TansuTransport, seek_to_committed_or_start

NEVER_COMMITTED = TopicPartition(DETECTIONS, 0)
COMMITTED = TopicPartition(DETECTIONS, 1)
HANDED_ON = TopicPartition(DETECTIONS, 2)  # never committed, but its first records were handed on
CHANGELOG_LIKE = TopicPartition(INCIDENTS, 0)  # stands for a table changelog: faust positions it itself
PARTITIONS = (NEVER_COMMITTED, COMMITTED, HANDED_ON, CHANGELOG_LIKE)


def _fill(producer: Any) -> dict[TopicPartition, int]:
    """Three records on each partition; returns each partition's end offset after them (not asked of the
    broker: Tansu answers ListOffsets(LATEST) wrongly)."""
    sent = [
        producer.send(tp.topic, key=b"transport-test", value=b"record %d" % n, partition=tp.partition)
        for tp in PARTITIONS
        for n in range(3)
    ]
    producer.flush()
    return {
        TopicPartition(meta.topic, meta.partition): meta.offset + 1
        for meta in (future.get(timeout=30) for future in sent)
    }


async def _read_everything(
    kafka: KafkaSettings, group_id: str, ends: dict[TopicPartition, int]
) -> AIOKafkaConsumer:
    """A consumer of the group that has fetched every partition to its end, as faust's does before it drops
    what it fetched during a rebalance; also commits partition 1 at its second-to-last record."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    consumer.assign(list(PARTITIONS))
    await consumer.seek_to_beginning(*PARTITIONS)
    behind = set(PARTITIONS)
    while behind:
        await consumer.getmany(timeout_ms=500)
        behind = {tp for tp in behind if await consumer.position(tp) < ends[tp]}
    await consumer.commit({COMMITTED: ends[COMMITTED] - 1})
    return consumer


@pytest.mark.integration
def test_partitions_the_group_never_committed_go_back_to_their_start(
    kafka_broker: KafkaSettings, kafka_producer: Any, unique_group_id: str
) -> None:
    ends = _fill(kafka_producer)

    async def scenario() -> tuple[dict[Any, int], dict[Any, int], dict[Any, int]]:
        consumer = await _read_everything(kafka_broker, unique_group_id, ends)
        try:
            starts: dict[Any, int] = await consumer.beginning_offsets(list(PARTITIONS))
            await (
                consumer.seek_to_committed()
            )  # aiokafka alone: the never-committed partition stays at its end
            plain = {tp: await consumer.position(tp) for tp in PARTITIONS}
            delivered = {HANDED_ON: starts[HANDED_ON] + 1, NEVER_COMMITTED: None}
            committed = await seek_to_committed_or_start(consumer, {INCIDENTS}, delivered)
            assert committed[NEVER_COMMITTED] is None and committed[COMMITTED] == ends[COMMITTED] - 1
            ours = {tp: await consumer.position(tp) for tp in PARTITIONS}
            return starts, plain, ours
        finally:
            await consumer.stop()

    starts, plain, ours = asyncio.run(scenario())
    assert plain[NEVER_COMMITTED] == ends[NEVER_COMMITTED] > starts[NEVER_COMMITTED]  # what lost records
    assert ours[NEVER_COMMITTED] == starts[NEVER_COMMITTED]
    assert ours[HANDED_ON] == starts[HANDED_ON] + 1  # back to the last record handed on, not further
    assert ours[COMMITTED] == ends[COMMITTED] - 1  # a committed partition resumes where it was committed
    assert ours[CHANGELOG_LIKE] == ends[CHANGELOG_LIKE]  # a skipped topic is left where it was


@pytest.mark.parametrize(("embedded", "expected"), [(True, TansuTransport), (False, KafkaTransport)])
def test_the_worker_uses_the_rewinding_transport_on_either_broker(embedded: bool, expected: type) -> None:
    options = faust_options(
        KafkaSettings(bootstrap_servers="127.0.0.1:9092,127.0.0.1:9093", embedded=embedded), StreamsSettings()
    )
    urls = options["broker"].split(";")
    assert len(urls) == 2 and all(by_url(url) is expected for url in urls)


@pytest.mark.integration
def test_a_partition_goes_back_to_where_its_restored_states_stand(
    kafka_broker: KafkaSettings, kafka_producer: Any, unique_group_id: str
) -> None:
    """A recovery can restore a state older than the offset the group committed (or than the last record
    handed on): the partition then resumes after that state's record, and says where the replays end."""
    ends = _fill(kafka_producer)

    async def scenario() -> tuple[dict[Any, int | None], dict[Any, int], dict[Any, int], dict[Any, int]]:
        consumer = await _read_everything(kafka_broker, unique_group_id, ends)
        try:
            starts: dict[Any, int] = await consumer.beginning_offsets(list(PARTITIONS))
            delivered = {HANDED_ON: ends[HANDED_ON] - 1, NEVER_COMMITTED: None}
            stored = {
                COMMITTED: ends[COMMITTED] - 2,  # older than the commit at ends - 1: back to it
                HANDED_ON: ends[HANDED_ON] - 3,  # older than the last record handed on: back to it
                NEVER_COMMITTED: ends[NEVER_COMMITTED] - 1,  # the partition starts earlier anyway
                CHANGELOG_LIKE: starts[CHANGELOG_LIKE],  # a skipped topic is never moved
            }
            below: dict[Any, int] = {}
            resumed = await seek_to_committed_or_start(consumer, {INCIDENTS}, delivered, stored, below)
            positions = {tp: await consumer.position(tp) for tp in PARTITIONS}
            return resumed, positions, below, starts
        finally:
            await consumer.stop()

    resumed, positions, below, starts = asyncio.run(scenario())
    assert positions[COMMITTED] == resumed[COMMITTED] == ends[COMMITTED] - 2
    assert positions[HANDED_ON] == resumed[HANDED_ON] == ends[HANDED_ON] - 3
    assert positions[NEVER_COMMITTED] == starts[NEVER_COMMITTED] and resumed[NEVER_COMMITTED] is None
    assert positions[CHANGELOG_LIKE] == ends[CHANGELOG_LIKE]
    # every record below the point the partition would have resumed at was finished before
    assert below == {
        COMMITTED: ends[COMMITTED] - 1,
        HANDED_ON: ends[HANDED_ON] - 1,
        NEVER_COMMITTED: starts[NEVER_COMMITTED],
    }
