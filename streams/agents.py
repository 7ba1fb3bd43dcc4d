"""The one agent: receive a detections record, call the pure rules, send the incidents, store the state.

Order per record, which is what makes a crash safe (see ``streams/README.md``):

1. read the camera's state from the table and apply the rules (a frame not newer than the state is a
   redelivery and does nothing);
2. publish each incident and wait for the broker's acknowledgement;
3. only then write the new state to the table (its changelog; a state that only advanced timestamps
   is kept in memory and written at least every few seconds of capture time, see ``DetectionsHandler``);
4. faust commits the source offset later, after flushing the producer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from gridwatch.messages import encode, key_of
from streams.handler import DetectionsHandler
from streams.topics import StreamTopics

Publish = Callable[[Any, bytes, bytes], Awaitable[None]]
"""Send ``(topic, key, value)`` and return once the broker has acknowledged it."""


def acknowledged_publisher(timeout_s: float) -> Publish:
    """A :data:`Publish` through faust's producer that waits for the acknowledgement."""

    async def publish(topic: Any, key: bytes, value: bytes) -> None:
        pending = await topic.send(key=key, value=value)
        await asyncio.wait_for(pending, timeout_s)

    return publish


def make_rules_agent(
    app: Any, topics: StreamTopics, table: Any, handler: DetectionsHandler, publish: Publish
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
            for incident in outcome.incidents:
                await publish(topics.incidents, key_of(incident), encode(incident))
            if outcome.dead_letter is not None:
                await publish(topics.dead_letters, key_of(outcome.dead_letter), encode(outcome.dead_letter))
            if outcome.state is not None and key is not None:
                if outcome.durable:
                    table[key] = outcome.state  # memory and changelog
                else:
                    table.data[key] = outcome.state  # memory only; a later durable write carries it

    return app.agent(topics.detections, name="rules")(rules)
