"""Decode every consumed record; what cannot be decoded or handled goes to ``gw.dlq`` and the loop goes on.

Policy: a record that is not a valid message (:class:`MalformedMessage`) and a record whose handler raised
an ``Exception`` are both dead-lettered with the reason (the exception type and text for the latter; the
traceback goes to the log), and the loop continues with the next record. Exceptions listed in ``fatal``
(e.g. a lost database connection, where dead-lettering would throw good records away) and
``BaseException``\\s such as ``KeyboardInterrupt`` propagate after the offsets of the records already
done are committed. A failure to write to ``gw.dlq`` itself propagates: a record is never dropped silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka.structs import OffsetAndMetadata, TopicPartition

from gridwatch.messages.base import GwMessage
from gridwatch.messages.codec import decode_record, encode, key_of
from gridwatch.messages.dead_letter import MAX_DEAD_LETTER_PAYLOAD, DeadLetter
from gridwatch.messages.errors import MalformedMessage
from gridwatch.messages.topics import DEAD_LETTERS

log = logging.getLogger(__name__)

MessageHandler = Callable[[GwMessage], None]


@dataclass
class ConsumeStats:
    """What one consume_decoded run did."""

    handled: int = 0
    dead_lettered: int = 0

    @property
    def processed(self) -> int:
        """Records taken off the topic, handled or dead-lettered."""
        return self.handled + self.dead_lettered


class DeadLetterRouter:
    """Writes rejected records to ``gw.dlq`` on behalf of one named consumer, and waits for the ack."""

    def __init__(
        self,
        producer: Any,
        consumer_name: str,
        *,
        max_payload_bytes: int = MAX_DEAD_LETTER_PAYLOAD,
        send_timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not consumer_name.strip():
            raise ValueError("consumer_name is blank; name the consumer that rejects records")
        if not 0 <= max_payload_bytes <= MAX_DEAD_LETTER_PAYLOAD:
            raise ValueError(f"max_payload_bytes must be within 0..{MAX_DEAD_LETTER_PAYLOAD}")
        self.producer = producer
        self.consumer_name = consumer_name
        self.max_payload_bytes = max_payload_bytes
        self.send_timeout_s = send_timeout_s
        self.clock = clock

    def letter_for(
        self, *, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None, reason: str
    ) -> DeadLetter:
        """The dead letter describing one record (not sent)."""
        raw = value or b""
        key_text, key_is_base64 = DeadLetter.describe_key(key)
        return DeadLetter(
            source_topic=topic,
            partition=partition,
            offset=offset,
            key=key_text,
            key_is_base64=key_is_base64,
            reason=reason[:4000],
            payload=raw[: self.max_payload_bytes],
            payload_size=len(raw),
            payload_truncated=len(raw) > self.max_payload_bytes,
            at=self.clock(),
            consumer=self.consumer_name,
        )

    def route(self, record: Any, reason: str) -> DeadLetter:
        """Send a dead letter for a consumed ``record`` (a ConsumerRecord) and wait for the ack."""
        letter = self.letter_for(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            reason=reason,
        )
        self.producer.send(DEAD_LETTERS, key=key_of(letter), value=encode(letter)).get(
            timeout=self.send_timeout_s
        )
        log.warning(
            "dead-lettered %s[%d]@%d: %s", record.topic, record.partition, record.offset, letter.reason
        )
        return letter


def consume_decoded(
    consumer: Any,
    handler: MessageHandler,
    router: DeadLetterRouter,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    max_records: int | None = None,
    poll_timeout_ms: int = 500,
    fatal: tuple[type[Exception], ...] = (),
) -> ConsumeStats:
    """Pass each decoded record of ``consumer`` to ``handler`` until ``should_stop()`` or ``max_records``.

    Offsets are committed (when the consumer has a group) after each polled batch, at least once: a record
    is committed only after it was handled or dead-lettered.
    """
    if max_records is not None and max_records < 1:
        raise ValueError(f"max_records must be at least 1, got {max_records}")
    stats = ConsumeStats()
    has_group = consumer.config.get("group_id") is not None
    while not should_stop() and (max_records is None or stats.processed < max_records):
        limit = None if max_records is None else max_records - stats.processed
        batch = consumer.poll(timeout_ms=poll_timeout_ms, max_records=limit)
        done: dict[TopicPartition, OffsetAndMetadata] = {}
        try:
            for partition, records in batch.items():
                for record in records:
                    if _process(record, handler, router, fatal):
                        stats.handled += 1
                    else:
                        stats.dead_lettered += 1
                    done[partition] = OffsetAndMetadata(record.offset + 1, "", -1)
        except BaseException:
            _rewind_unprocessed(consumer, batch, done)
            raise
        finally:
            if has_group and done:
                consumer.commit(offsets=done)
    return stats


def _rewind_unprocessed(
    consumer: Any, batch: dict[TopicPartition, list[Any]], done: dict[TopicPartition, OffsetAndMetadata]
) -> None:
    """Seek back to the first record of each partition that was fetched but not processed."""
    for partition, records in batch.items():
        if not records:
            continue
        first_unprocessed = done[partition].offset if partition in done else records[0].offset
        if records[-1].offset >= first_unprocessed:
            consumer.seek(partition, first_unprocessed)


def _process(
    record: Any, handler: MessageHandler, router: DeadLetterRouter, fatal: tuple[type[Exception], ...]
) -> bool:
    """Handle one record; True when handled, False when dead-lettered."""
    try:
        message = decode_record(record.topic, record.key, record.value)
    except MalformedMessage as error:
        router.route(record, error.reason)
        return False
    try:
        handler(message)
    except fatal:
        raise
    except Exception as error:
        log.exception(
            "handler of %s failed on %s[%d]@%d",
            router.consumer_name,
            record.topic,
            record.partition,
            record.offset,
        )
        router.route(record, f"handler failed: {type(error).__name__}: {error}")
        return False
    return True
