"""The rules agent through faust's ``test_context()``: no broker, the real agent, table and handler."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from app.bootstrap.streams import build_app
from gridwatch.broker import KafkaSettings
from gridwatch.messages import Incident, decode, encode
from gridwatch.messages.topics import DEAD_LETTERS, INCIDENTS
from streams.settings import StreamsSettings
from tests.streams.rules.scenes import bike, message
from tests.streams.sites import parking_site

NOWHERE = KafkaSettings(bootstrap_servers="127.0.0.1:9", embedded=True)


def _scene(t: int) -> list[Any]:
    return [bike()] if t < 10 else []


def test_agent_publishes_each_transition_once_and_keeps_state_in_the_table() -> None:
    published: list[tuple[str, bytes, bytes]] = []

    async def send(topic: Any, key: bytes, value: bytes) -> asyncio.Future[None]:
        published.append((topic.get_topic_name(), key, value))
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acked.set_result(None)
        return acked

    streams = build_app(
        parking_site(["cam-1"]),
        NOWHERE,
        StreamsSettings(app_id=f"test-agent-{uuid.uuid4().hex[:8]}"),
        send=send,
    )

    async def feed() -> None:
        async with streams.agent.test_context() as agent:
            for t in range(20):
                record = encode(message(t, _scene(t), seq=t))
                await agent.put(value=record, key=b"cam-1")
                if t == 12:  # a redelivered frame: the stored state already has it
                    await agent.put(value=record, key=b"cam-1")
            await agent.put(value=b"not json", key=b"cam-1")
            await agent.put(value=encode(message(30, [], camera_id="cam-x")), key=b"cam-x")

    asyncio.run(feed())
    incidents = [decode(INCIDENTS, value) for topic, _key, value in published if topic == INCIDENTS]
    assert all(isinstance(i, Incident) for i in incidents)
    assert [(i.lifecycle.value, i.revision) for i in incidents if isinstance(i, Incident)] == [
        ("new", 1),
        ("end", 2),
    ]
    assert [key for topic, key, _value in published if topic == INCIDENTS] == [
        i.incident_id.encode() for i in incidents if isinstance(i, Incident)
    ]
    letters = [value for topic, _key, value in published if topic == DEAD_LETTERS]
    assert len(letters) == 2
    assert b"not JSON" in letters[0] and b"cam-x" in letters[1]
    stored = streams.table.get(b"cam-1")
    assert stored is not None and b'"t":' in stored
