"""The outbox relay: history rows not yet on ``gw.case-events`` are published, then marked published.

Runs after every commit (an after-commit hook) and from the timer loop, so that events recorded while the
broker was down are published once it is back. At least once: a crash between the broker's ack and the mark
publishes an event again; consumers deduplicate on ``event_id``.
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
from dispatch.unit_of_work import Published
from gridwatch.messages import CaseEvent, encode, key_of
from gridwatch.messages.topics import CASE_EVENTS

log = logging.getLogger(__name__)


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

    def after_commit(self, published: Sequence[Published]) -> None:
        """After-commit hook: publish what the commit recorded (and anything left from before)."""
        if published:
            self.publish_pending()

    def publish_pending(self) -> int:
        """Publish every unpublished history row; returns how many. Raises when the broker fails."""
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
                    if not rows:
                        return total
                    self._publisher.publish([case_event_of(row, incident_id) for row, incident_id in rows])
                    session.execute(
                        update(CaseHistoryRecord)
                        .where(CaseHistoryRecord.seq.in_([row.seq for row, _ in rows]))
                        .values(published_at=self._clock())
                    )
                    session.commit()
                total += len(rows)
