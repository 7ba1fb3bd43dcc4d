"""Reads ``gw.incidents`` and hands every incident to the bus (one case per incident, see the handler).

At least once: offsets are committed after a batch is handled (``consume_decoded``), so a restart re-reads
what was in flight and the handler's idempotency absorbs it. A message the handler rejects (an unknown camera
or class) is dead-lettered with the reason; a lost database is fatal (the records stay uncommitted and are
read again after the restart), so nothing already on the topic is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import OperationalError

from dispatch.bus import MessageBus
from dispatch.domain.commands import ReceiveIncident
from dispatch.persistence.engine import DatabaseUnavailableError
from gridwatch.broker import ConsumeStats, DeadLetterRouter, consume_decoded
from gridwatch.messages import GwMessage, Incident

log = logging.getLogger(__name__)

CONSUMER_NAME = "dispatch"


def incident_handler(bus: MessageBus) -> Callable[[GwMessage], None]:
    """The per-message handler: incidents to the bus; anything else on the topic is an error (dead-letter)."""

    def handle(message: GwMessage) -> None:
        if not isinstance(message, Incident):
            raise TypeError(f"expected an Incident on gw.incidents, got {type(message).__name__}")
        outcome = bus.handle(ReceiveIncident(message))
        log.info(
            "incident %s r%d (%s): %s",
            message.incident_id,
            message.revision,
            message.lifecycle.value,
            outcome,
        )

    return handle


def consume_incidents(
    consumer: Any,
    bus: MessageBus,
    router: DeadLetterRouter,
    stop: threading.Event,
    *,
    max_records: int | None = None,
) -> ConsumeStats:
    """Consume until ``stop`` is set (or ``max_records``); a database outage propagates (see the module)."""
    return consume_decoded(
        consumer,
        incident_handler(bus),
        router,
        should_stop=stop.is_set,
        max_records=max_records,
        poll_timeout_ms=500,
        fatal=(OperationalError, DatabaseUnavailableError),
    )
