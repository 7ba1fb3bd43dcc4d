"""Deliver a notice over a person's channels in order: bounded retries with backoff, then the next channel.

A retry is never waited for here: a transient failure ends the step with the wait the backoff asks for, and
the delivery worker stores it as the delivery's next attempt time (see :mod:`dispatch.deliveries`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from dispatch.push.channel import ChannelSender, SendResult, SendStatus
from dispatch.push.notice import DeliveryAttempt, DeliveryOutcome, DeliveryProgress, DeliveryStep, TaskNotice
from dispatch.push.settings import RetrySettings
from gridwatch.config import Person, PushChannel

log = logging.getLogger(__name__)


class ChannelNotifier:
    """The :class:`~dispatch.push.notice.Notifier` of a dispatch process.

    For each of the person's channels, in the order of the site file: up to ``attempts_per_channel`` tries
    while failures are transient (network error, 429, 5xx, "busy"), ``retry.delay_before(n)`` apart (the step
    ends with that wait: the caller schedules the next try); a permanent failure moves on to the next channel
    at once. A channel kind with no sender (not configured) is recorded as a failed attempt and skipped.
    ``attempt`` never raises for a failed delivery; an unexpected error inside a sender is recorded as a
    permanent failure.
    """

    def __init__(
        self,
        senders: Iterable[ChannelSender],
        *,
        retry: RetrySettings,
        clock: Callable[[], datetime],
    ) -> None:
        self._senders: dict[str, ChannelSender] = {}
        for sender in senders:
            if sender.kind in self._senders:
                raise ValueError(f"two senders for channel kind {sender.kind!r}; give one per kind")
            self._senders[sender.kind] = sender
        self._retry = retry
        self._clock = clock

    @property
    def kinds(self) -> frozenset[str]:
        """The channel kinds this notifier can send on."""
        return frozenset(self._senders)

    def attempt(self, person: Person, notice: TaskNotice, progress: DeliveryProgress) -> DeliveryStep:
        """Try the person's channels in order, from ``progress`` on, until one takes the notice, one asks for
        a wait before its next try, or none is left."""
        if notice.recipient_id != person.id:
            raise ValueError(f"notice for {notice.recipient_id!r} handed over with person {person.id!r}")
        attempts = list(progress.attempts)
        if not person.channels:
            attempts.append(
                self._attempt("none", SendResult.permanent(f"{person.id} has no channel configured"))
            )
            return DeliveryStep.finished(DeliveryOutcome(person.id, False, None, tuple(attempts)))
        index, tries = progress.channel_index, progress.channel_tries
        while index < len(person.channels):
            channel = person.channels[index]
            sender = self._senders.get(channel.kind)
            if sender is None:
                attempts.append(
                    self._attempt(
                        channel.kind, SendResult.permanent(f"{channel.kind} is not configured here")
                    )
                )
                index, tries = index + 1, 0
                continue
            result = self._try(sender, person, channel, notice)
            tries += 1
            attempts.append(self._attempt(channel.kind, result))
            if result.ok:
                return DeliveryStep.finished(DeliveryOutcome(person.id, True, channel.kind, tuple(attempts)))
            if result.status is SendStatus.PERMANENT or tries >= self._retry.attempts_per_channel:
                index, tries = index + 1, 0
                continue
            wait = self._retry.delay_before(tries + 1, result.retry_after_s)
            return DeliveryStep.retry(DeliveryProgress(index, tries, tuple(attempts)), wait)
        detail = attempts[-1].detail if attempts else "no channel left to try"
        log.warning("case %s not delivered to %s: %s", notice.case_id, person.id, detail)
        return DeliveryStep.finished(DeliveryOutcome(person.id, False, None, tuple(attempts)))

    def _try(
        self, sender: ChannelSender, person: Person, channel: PushChannel, notice: TaskNotice
    ) -> SendResult:
        try:
            return sender.send(person, channel, notice)
        except Exception as error:  # a bug or bad data in one channel must not stop the others
            log.exception("%s sender failed on case %s", sender.kind, notice.case_id)
            return SendResult.permanent(f"{sender.kind} sender error: {type(error).__name__}: {error}")

    def _attempt(self, channel: str, result: SendResult) -> DeliveryAttempt:
        return DeliveryAttempt(channel=channel, ok=result.ok, detail=result.detail, at=self._clock())
