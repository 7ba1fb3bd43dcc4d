"""Publishing replayed incidents, only when asked, and only to a topic no worker reads.

Dry-run is the default: a replay writes a report. ``--publish-topic`` sends the incidents to that topic
(e.g. ``gw.replay.incidents``), created if missing; every Gridwatch topic (gw.incidents above all, which
dispatch turns into tasks for people) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import Incident, encode, key_of, topic_named
from replay.errors import ReplayError

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


def check_topic(name: str) -> str:
    """``name`` when it is a valid topic that no Gridwatch component consumes; ReplayError otherwise."""
    if not _TOPIC_NAME.match(name) or name in (".", ".."):
        raise ReplayError(f"{name!r} is not a valid topic name")
    if topic_named(name) is not None:
        raise ReplayError(
            f"{name} is a live Gridwatch topic; replayed incidents go to a separate topic "
            "(e.g. gw.replay.incidents) so that no worker is sent a task"
        )
    return name


def publish(settings: KafkaSettings, topic: str, incidents: Sequence[Incident], producer: Any = None) -> int:
    """Send ``incidents`` to ``topic`` (created with one partition if missing); the number sent."""
    check_topic(topic)
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    from gridwatch.broker.clients import make_admin, make_producer

    admin = make_admin(settings, client_suffix="replay-admin")
    try:
        admin.create_topics([NewTopic(name=topic, num_partitions=1, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()
    own = producer is None
    sender = make_producer(settings, client_suffix="replay") if own else producer
    try:
        futures = [sender.send(topic, key=key_of(i), value=encode(i)) for i in incidents]
        for future in futures:
            future.get(timeout=30)
    finally:
        if own:
            sender.close(timeout=10)
    return len(incidents)
