"""The one agent: receive detections records in small batches, call the pure rules, send the incidents,
store the states.

Order per batch, which is what makes a crash safe (see ``streams/README.md``):

1. for each record in turn, read the camera's state (the batch's own newer state when the camera already
   had a record in it) and apply the rules (a frame not newer than the state is a redelivery and does
   nothing);
2. publish every resulting incident in record order, then wait for all of their acknowledgements together
   (one wait per batch instead of one round trip per incident; a batch without incidents waits for none);
3. only then write the new states to the table (its changelog, in the partition of the camera's own
   records; a state that only advanced timestamps is kept in memory and written at least every few
   seconds of capture time, see ``DetectionsHandler``);
4. the batch's source offsets are acknowledged after that, and faust commits them later, after flushing its
   producer.
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

#: Most records handled per batch, and the longest the agent waits to fill one (seconds): the batching adds at
#: most this to a record's latency, and at 1,000 records/s a batch then holds about 10 records.
BATCH_MAX = 200
BATCH_WITHIN_S = 0.01


def acknowledging_sender(timeout_s: float) -> Send:
    """A :data:`Send` through faust's producer whose acknowledgement times out after ``timeout_s``."""

    async def send(topic: Any, key: bytes, value: bytes) -> Awaitable[Any]:
        pending = await topic.send(key=key, value=value)
        return asyncio.wait_for(pending, timeout_s)

    return send


def make_rules_agent(
    app: Any,
    topics: StreamTopics,
    table: Any,
    handler: DetectionsHandler,
    send: Send,
    *,
    batch_max: int = BATCH_MAX,
    batch_within_s: float = BATCH_WITHIN_S,
) -> Any:
    """Register the rules agent on ``app`` (consuming gw.detections) and return it."""

    async def rules(stream: Any) -> None:
        async for events in stream.take_events(batch_max, within=batch_within_s):
            states: dict[bytes, tuple[bytes, bool, Any]] = {}  # key -> (state, durable, its latest event)
            acks: list[Awaitable[Any]] = []
            for event in events:
                record = event.message
                key: bytes | None = record.key
                pending = None if key is None else states.get(key)
                if pending is not None:
                    current: bytes | None = pending[0]
                else:
                    current = None if key is None else table.get(key)
                outcome = handler.handle(
                    partition=record.partition,
                    offset=record.offset,
                    key=key,
                    value=record.value,
                    state=current,
                )
                for incident in outcome.incidents:
                    acks.append(await send(topics.incidents, key_of(incident), encode(incident)))
                if outcome.dead_letter is not None:
                    letter = outcome.dead_letter
                    acks.append(await send(topics.dead_letters, key_of(letter), encode(letter)))
                if outcome.state is not None and key is not None:
                    # durable if this or an earlier record of the batch made it so
                    durable = outcome.durable or (pending is not None and pending[1])
                    states[key] = (outcome.state, durable, event)
            if acks:
                await asyncio.gather(*acks)  # every incident of the batch is on the broker
            for key, (state, durable, event) in states.items():
                table.data[key] = state  # memory
                if durable:
                    # the changelog partition is the camera's own source partition. Never route this by
                    # pointing the stream's current event at the record: faust's batching reads that
                    # attribute for the next record it buffers, which then lost its place to this one.
                    table.send_changelog(event.message.partition, key, state)

    return app.agent(topics.detections, name="rules")(rules)
