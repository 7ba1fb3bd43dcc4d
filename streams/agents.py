"""The one agent: receive detections records one at a time, call the pure rules, send the incidents, store
the states.

Order per record, which is what makes a crash safe (see ``streams/README.md``):

1. read the camera's state and apply the rules (a frame not newer than the state is a redelivery and does
   nothing);
2. publish the resulting incidents in order, then wait for their acknowledgements (a record without
   incidents, nearly all of them, waits for none);
3. only then write the new state to the table (its changelog, in the partition of the camera's own records;
   a state that only advanced timestamps is kept in memory and written at least every few seconds of capture
   time, see ``DetectionsHandler``);
4. the record's offset is acknowledged when the agent asks for the next one, and faust commits it later,
   after flushing its producer.

Records are taken one by one from ``stream.events()``, not in batches from ``stream.take_events``: under load
that batching lost records handed to it while a batch was being consumed (its buffer was cleared with them
in it), a few of every partition at a time, which the SIGKILL test on the broker caught about one run in two.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from gridwatch.messages import encode, key_of
from streams.handler import DetectionsHandler
from streams.topics import StreamTopics

Send = Callable[[Any, bytes, bytes], Awaitable[Awaitable[Any]]]
"""Hand ``(topic, key, value)`` to the producer (in call order); returns the acknowledgement to await."""


def acknowledging_sender(timeout_s: float) -> Send:
    """A :data:`Send` through faust's producer whose acknowledgement times out after ``timeout_s``."""

    async def send(topic: Any, key: bytes, value: bytes) -> Awaitable[Any]:
        pending = await topic.send(key=key, value=value)
        return asyncio.wait_for(pending, timeout_s)

    return send


def make_rules_agent(
    app: Any, topics: StreamTopics, table: Any, handler: DetectionsHandler, send: Send
) -> Any:
    """Register the rules agent on ``app`` (consuming gw.detections) and return it."""

    async def rules(stream: Any) -> None:
        async for event in stream.events():
            record = event.message
            key: bytes | None = record.key
            outcome = handler.handle(
                partition=record.partition,
                offset=record.offset,
                key=key,
                value=record.value,
                state=None if key is None else table.get(key),
            )
            acks: list[Awaitable[Any]] = []
            for incident in outcome.incidents:
                acks.append(await send(topics.incidents, key_of(incident), encode(incident)))
            if outcome.dead_letter is not None:
                letter = outcome.dead_letter
                acks.append(await send(topics.dead_letters, key_of(letter), encode(letter)))
            if acks:
                await asyncio.gather(*acks)  # the record's incidents are on the broker
            if outcome.state is not None and key is not None:
                table.data[key] = outcome.state  # memory
                if outcome.durable:
                    # the changelog partition is the camera's own source partition. Never route this by
                    # pointing the stream's current event at the record: faust reads that attribute for the
                    # next record it hands on, which then lost its place to this one.
                    table.send_changelog(record.partition, key, outcome.state)

    return app.agent(topics.detections, name="rules")(rules)
