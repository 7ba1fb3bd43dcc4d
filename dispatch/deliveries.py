"""The delivery worker: sends the pushes that commits owed (``deliveries`` rows), records their outcome.

A push is owed in the same transaction as the change that causes it, so it is never lost; it is sent after
the commit, outside any transaction, by the delivery loop (its own thread: a slow push service never delays
a deadline). Each row due now is claimed first (``pending`` → ``sending``, by a conditional update), so two
loops never send the same push; a row left ``sending`` by a process that died is claimed again after
``delivery_retry_after_s``.

One claim is one step of the notifier: the tries due now. A transient failure does not wait in the worker:
the row goes back to ``pending`` with ``next_attempt_at`` set to when the backoff allows the next try, and the
channel, tries and attempts so far kept on it (a restart resumes where it left off). When the delivery is
finished the outcome goes on the case: history ``delivered`` or ``delivery_failed`` with the channel and
every attempt.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy import ColumnElement, or_, select, update

from dispatch.clock import Clock
from dispatch.history import record
from dispatch.persistence.case_tables import CaseRecord, DeliveryRecord, DeliveryStatus
from dispatch.push.notice import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryProgress,
    DeliveryStep,
    Notifier,
    TaskNotice,
)
from dispatch.push.wording import compose_notice
from dispatch.unit_of_work import UnitOfWorkFactory
from gridwatch.config import SiteConfig
from gridwatch.messages import CaseEventKind

log = logging.getLogger(__name__)


def _http(url: str | None) -> str | None:
    return url if url is not None and url.startswith(("http://", "https://")) else None


def notice_for(site: SiteConfig, case: CaseRecord, delivery: DeliveryRecord, base_url: str) -> TaskNotice:
    """The notice a delivery row stands for."""
    event_class = site.event_class(case.class_code)
    return compose_notice(
        kind=delivery.kind,
        case_id=case.id,
        recipient_id=delivery.recipient_id,
        class_code=case.class_code,
        class_name=event_class.name,
        place=case.place,
        url=f"{base_url}/m/cases/{case.id}",
        dwell_s=case.dwell_s,
        deadline_at=case.handle_due_at,
        evidence_url=_http(case.evidence_url),
        note=delivery.note,
    )


def progress_of(delivery: DeliveryRecord) -> DeliveryProgress:
    """Where a delivery resumes, as its row keeps it."""
    return DeliveryProgress(
        channel_index=delivery.channel_index or 0,
        channel_tries=delivery.channel_tries or 0,
        attempts=tuple(DeliveryAttempt.from_record(item) for item in delivery.attempt_log or ()),
    )


class DeliveryWorker:
    """Sends owed pushes through a :class:`~dispatch.push.notice.Notifier`, one scheduled step at a time."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        notifier: Notifier,
        clock: Clock,
        *,
        base_url: str,
        retry_after_s: float = 300.0,
        batch_size: int = 50,
    ) -> None:
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._clock = clock
        self._base_url = base_url
        self._retry_after = timedelta(seconds=retry_after_s)
        self._batch_size = batch_size

    def _claimable(self) -> ColumnElement[bool]:
        now = self._clock()
        stale = now - self._retry_after
        return or_(
            (DeliveryRecord.status == DeliveryStatus.PENDING)
            & (DeliveryRecord.next_attempt_at.is_(None) | (DeliveryRecord.next_attempt_at <= now)),
            (DeliveryRecord.status == DeliveryStatus.SENDING) & (DeliveryRecord.claimed_at < stale),
        )

    def due_ids(self) -> list[int]:
        """Ids of the deliveries whose next step is due now, oldest first."""
        with self._uow_factory() as uow:
            return list(
                uow.session.scalars(
                    select(DeliveryRecord.id)
                    .where(self._claimable())
                    .order_by(DeliveryRecord.id)
                    .limit(self._batch_size)
                )
            )

    def run_due(self) -> int:
        """Take one step of every delivery due now (a step due again at once, such as a fallback after a
        crash, is taken in the same round); returns how many steps were taken."""
        steps = 0
        while True:
            ids = self.due_ids()
            if not ids:
                return steps
            for delivery_id in ids:
                if self._claim(delivery_id):
                    self._step(delivery_id)
                    steps += 1

    def _claim(self, delivery_id: int) -> bool:
        with self._uow_factory() as uow:
            result = uow.session.execute(
                update(DeliveryRecord)
                .where(DeliveryRecord.id == delivery_id, self._claimable())
                .values(status=DeliveryStatus.SENDING, claimed_at=self._clock())
                .execution_options(synchronize_session=False)
            )
            uow.commit()
            return bool(getattr(result, "rowcount", 0) == 1)

    def _step(self, delivery_id: int) -> None:
        with self._uow_factory() as uow:
            delivery = uow.session.get(DeliveryRecord, delivery_id)
            assert delivery is not None
            case = uow.case(delivery.case_id)
            site = uow.site
            progress = progress_of(delivery)
            try:
                person = site.person(delivery.recipient_id)
                notice = notice_for(site, case, delivery, self._base_url)
            except (KeyError, ValueError) as error:
                step = DeliveryStep.finished(
                    _failed(delivery.recipient_id, "none", f"cannot build the notice: {error}", self._clock)
                )
            else:
                uow.session.rollback()  # no transaction held open while the channels work
                try:
                    step = self._notifier.attempt(person, notice, progress)
                except Exception as error:  # a notifier must not raise, but a bug must not lose the row
                    log.exception("notifier raised for delivery %d", delivery_id)
                    step = DeliveryStep.finished(
                        _failed(
                            delivery.recipient_id, "notifier", f"{type(error).__name__}: {error}", self._clock
                        )
                    )
        if step.outcome is None:
            self._reschedule(delivery_id, step)
        else:
            self._record(delivery_id, step.outcome)

    def _reschedule(self, delivery_id: int, step: DeliveryStep) -> None:
        with self._uow_factory() as uow:
            delivery = uow.session.get(DeliveryRecord, delivery_id)
            assert delivery is not None
            delivery.status = DeliveryStatus.PENDING
            delivery.claimed_at = None
            delivery.next_attempt_at = uow.now + timedelta(seconds=step.retry_in_s)
            delivery.channel_index = step.progress.channel_index
            delivery.channel_tries = step.progress.channel_tries
            delivery.attempt_log = [attempt.as_record() for attempt in step.progress.attempts]
            uow.commit()
        last = step.progress.attempts[-1].detail if step.progress.attempts else "no detail"
        log.info("delivery %d: next try in %.1f s (%s)", delivery_id, step.retry_in_s, last)

    def _record(self, delivery_id: int, outcome: DeliveryOutcome) -> None:
        with self._uow_factory() as uow:
            delivery = uow.session.get(DeliveryRecord, delivery_id)
            assert delivery is not None
            case = uow.case(delivery.case_id)
            delivery.status = DeliveryStatus.DELIVERED if outcome.delivered else DeliveryStatus.FAILED
            delivery.finished_at = uow.now
            delivery.next_attempt_at = None
            delivery.channel = outcome.channel
            delivery.outcome = outcome.as_record()
            delivery.attempt_log = [attempt.as_record() for attempt in outcome.attempts]
            record(
                uow,
                case,
                CaseEventKind.DELIVERED if outcome.delivered else CaseEventKind.DELIVERY_FAILED,
                "system",
                note=outcome.detail[:2000],
                data={
                    "recipient_id": outcome.recipient_id,
                    "notice_kind": delivery.kind,
                    "channel": outcome.channel,
                    "attempts": len(outcome.attempts),
                    "attempt_log": json.dumps(
                        [attempt.as_record() for attempt in outcome.attempts], ensure_ascii=False
                    )[:2000],
                },
            )
            uow.commit()


def _failed(recipient_id: str, channel: str, detail: str, clock: Clock) -> DeliveryOutcome:
    return DeliveryOutcome(
        recipient_id=recipient_id,
        delivered=False,
        channel=None,
        attempts=(DeliveryAttempt(channel=channel, ok=False, detail=detail, at=clock()),),
    )
