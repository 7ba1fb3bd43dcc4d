"""The timer scheduler: fires every persisted timer that is due, each in its own transaction.

Timers live in ``case_timers`` (see :mod:`dispatch.handlers.timers` for what each kind does), so they
survive a restart: a scheduler started after downtime fires what came due meanwhile, once each. It runs on
the timer loop's own thread (see :mod:`dispatch.core`), never behind a push or the broker. The clock is
injected; tests move it across working hours, lunch breaks, weekends and holidays and run a round of the loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.bus import MessageBus
from dispatch.clock import Clock
from dispatch.domain.commands import FireTimer
from dispatch.domain.errors import DispatchError
from dispatch.persistence.case_tables import CaseTimerRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fired:
    """One timer fired and what it did."""

    timer_id: int
    outcome: str


class TimerScheduler:
    """Finds due timers and fires them through the bus."""

    def __init__(
        self, bus: MessageBus, session_factory: sessionmaker[Session], clock: Clock, *, batch_size: int = 100
    ) -> None:
        self._bus = bus
        self._session_factory = session_factory
        self._clock = clock
        self._batch_size = batch_size

    def due_timer_ids(self) -> list[int]:
        """Ids of unfired timers due now, earliest first."""
        with self._session_factory() as session:
            return list(
                session.scalars(
                    select(CaseTimerRecord.id)
                    .where(CaseTimerRecord.fired_at.is_(None), CaseTimerRecord.due_at <= self._clock())
                    .order_by(CaseTimerRecord.due_at, CaseTimerRecord.id)
                    .limit(self._batch_size)
                )
            )

    def run_due(self) -> list[Fired]:
        """Fire every timer due now (timers that a firing creates and that are already due fire too)."""
        fired: list[Fired] = []
        seen: set[int] = set()
        while True:
            due = [timer_id for timer_id in self.due_timer_ids() if timer_id not in seen]
            if not due:
                return fired
            for timer_id in due:
                seen.add(timer_id)
                try:
                    outcome = self._bus.handle(FireTimer(timer_id))
                except DispatchError as error:
                    log.warning("timer %d could not fire: %s", timer_id, error)
                    continue
                fired.append(Fired(timer_id, str(outcome)))
                log.info("timer %d fired: %s", timer_id, outcome)
