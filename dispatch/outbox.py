"""The outbox relay: history rows not yet on ``gw.case-events`` are published, then marked published.

Runs on its own thread (the outbox loop of :mod:`dispatch.core`): every commit that recorded events wakes it,
and it also looks for leftovers every few seconds, so that events recorded while the broker was down are
published once it is back. No request, timer or push ever waits for the broker. At least once: a crash
between the broker's ack and the mark publishes an event again; consumers deduplicate on ``event_id``.

The producer is made with a short ``max_block_ms`` (:func:`make_case_event_producer`): a ``send`` to a broker
that is down fails in seconds, not kafka-python's default minute, and the relay tries again on its next round.
It is not idempotent: the relay re-sends at the application level anyway (consumers deduplicate), and an
idempotent producer whose broker came back without its producer state (a restarted in-memory broker) fails
every send for good ("InitProducerId: UnknownError") instead of publishing again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from dispatch.clock import Clock
from dispatch.history import case_event_of
from dispatch.persistence.case_tables import CaseHistoryRecord, CaseRecord
from gridwatch.broker import KafkaSettings, make_producer
from gridwatch.messages import CaseEvent, encode, key_of
from gridwatch.messages.topics import CASE_EVENTS

log = logging.getLogger(__name__)

PRODUCER_MAX_BLOCK_MS = 5_000
"""Longest a ``send`` of the dispatch producer blocks (no broker metadata, full buffer) before it fails."""


def make_case_event_producer(settings: KafkaSettings, *, client_suffix: str = "dispatch") -> Any:
    """The dispatch process's producer (case events and dead letters): bounded ``max_block_ms``, not
    idempotent (see the module)."""
    return make_producer(
        settings,
        client_suffix=client_suffix,
        max_block_ms=PRODUCER_MAX_BLOCK_MS,
        enable_idempotence=False,
    )


class CaseEventPublisher(Protocol):
    """Puts case events on ``gw.case-events``; returns only when the broker acknowledged every one."""

    def publish(self, events: Sequence[CaseEvent]) -> None: ...


class KafkaCaseEventPublisher:
    """A :class:`CaseEventPublisher` on a kafka-python producer."""

    def __init__(self, producer: Any, *, timeout_s: float = 10.0) -> None:
        self._producer = producer
        self._timeout_s = timeout_s

    def publish(self, events: Sequence[CaseEvent]) -> None:
        futures = [
            self._producer.send(CASE_EVENTS, key=key_of(event), value=encode(event)) for event in events
        ]
        for future in futures:
            future.get(timeout=self._timeout_s)


class OutboxRelay:
    """Publishes unpublished history rows in order, in batches; one relay at a time per process."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        publisher: CaseEventPublisher,
        clock: Clock,
        *,
        batch_size: int = 200,
    ) -> None:
        self._session_factory = session_factory
        self._publisher = publisher
        self._clock = clock
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def publish_pending(self) -> int:
        """Publish every unpublished history row; returns how many. Raises when the broker fails.

        No transaction is held while the broker works: a batch is read, published, then marked in a second,
        short transaction (a slow broker never holds a database lock others wait for).
        """
        total = 0
        with self._lock:
            while True:
                with self._session_factory() as session:
                    rows = session.execute(
                        select(CaseHistoryRecord, CaseRecord.incident_id)
                        .join(CaseRecord, CaseRecord.id == CaseHistoryRecord.case_id)
                        .where(CaseHistoryRecord.published_at.is_(None))
                        .order_by(CaseHistoryRecord.seq)
                        .limit(self._batch_size)
                    ).all()
                    events = [case_event_of(row, incident_id) for row, incident_id in rows]
                if not events:
                    return total
                self._publisher.publish(events)
                with self._session_factory() as session:
                    session.execute(
                        update(CaseHistoryRecord)
                        .where(CaseHistoryRecord.seq.in_([row.seq for row, _ in rows]))
                        .values(published_at=self._clock())
                    )
                    session.commit()
                total += len(events)
