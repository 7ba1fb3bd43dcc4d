"""Deliver a notice over a person's channels in order: bounded retries with backoff, then the next channel."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from dispatch.push.channel import ChannelSender, SendResult, SendStatus
from dispatch.push.notice import DeliveryAttempt, DeliveryOutcome, TaskNotice
from dispatch.push.settings import RetrySettings
from gridwatch.config import Person, PushChannel

log = logging.getLogger(__name__)


class ChannelNotifier:
    """The :class:`~dispatch.push.notice.Notifier` of a dispatch process.

    For each of the person's channels, in the order of the site file: up to ``attempts_per_channel`` tries
    while failures are transient (network error, 429, 5xx, "busy"), waiting ``retry.delay_before(n)`` between
    them (``sleep`` is injected so tests do not wait); a permanent failure moves on at once. A channel kind
    with no sender (not configured) is recorded as a failed attempt and skipped. ``deliver`` never raises
    for a failed delivery; an unexpected error inside a sender is recorded as a permanent failure.
    """

    def __init__(
        self,
        senders: Iterable[ChannelSender],
        *,
        retry: RetrySettings,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None],
    ) -> None:
        self._senders: dict[str, ChannelSender] = {}
        for sender in senders:
            if sender.kind in self._senders:
                raise ValueError(f"two senders for channel kind {sender.kind!r}; give one per kind")
            self._senders[sender.kind] = sender
        self._retry = retry
        self._clock = clock
        self._sleep = sleep

    @property
    def kinds(self) -> frozenset[str]:
        """The channel kinds this notifier can send on."""
        return frozenset(self._senders)

    def deliver(self, person: Person, notice: TaskNotice) -> DeliveryOutcome:
        """Try the person's channels in order until one takes the notice."""
        if notice.recipient_id != person.id:
            raise ValueError(f"notice for {notice.recipient_id!r} handed over with person {person.id!r}")
        attempts: list[DeliveryAttempt] = []
        if not person.channels:
            attempts.append(
                self._attempt("none", SendResult.permanent(f"{person.id} has no channel configured"))
            )
            return DeliveryOutcome(person.id, False, None, tuple(attempts))
        for channel in person.channels:
            sender = self._senders.get(channel.kind)
            if sender is None:
                attempts.append(
                    self._attempt(
                        channel.kind, SendResult.permanent(f"{channel.kind} is not configured here")
                    )
                )
                continue
            for number in range(1, self._retry.attempts_per_channel + 1):
                result = self._try(sender, person, channel, notice)
                attempts.append(self._attempt(channel.kind, result))
                if result.ok:
                    return DeliveryOutcome(person.id, True, channel.kind, tuple(attempts))
                if result.status is SendStatus.PERMANENT or number == self._retry.attempts_per_channel:
                    break
                self._sleep(self._retry.delay_before(number + 1, result.retry_after_s))
        log.warning("case %s not delivered to %s: %s", notice.case_id, person.id, attempts[-1].detail)
        return DeliveryOutcome(person.id, False, None, tuple(attempts))

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
