"""The live feed: an in-process pub/sub of case changes per person, for the phone page's event stream.

Publishers are plain threads (the incident consumer, the timer loop) or request handlers; subscribers are
async iterators inside the API's event loop. :meth:`LiveFeed.publish` is thread-safe: it hands each event to
the subscriber's loop with ``call_soon_threadsafe``. A subscriber that falls more than ``max_queued`` events
behind gets one :data:`RESYNC` marker instead of the events it missed, and should reload its task list.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from gridwatch.messages import CaseEvent


@dataclass(frozen=True)
class LiveEvent:
    """One case change for one person: the case event, or a resync marker when events were dropped."""

    event: CaseEvent | None
    resync: bool = False


RESYNC = LiveEvent(event=None, resync=True)


@dataclass(eq=False)
class _Subscriber:
    person_id: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[LiveEvent]
    max_queued: int
    overflowed: bool = field(default=False)

    def offer(self, event: LiveEvent) -> None:
        """Runs in the subscriber's loop. After an overflow, events are dropped until the reader took the
        resync marker (it reloads everything anyway)."""
        if self.overflowed:
            if not self.queue.empty():
                return
            self.overflowed = False
        if self.queue.qsize() >= self.max_queued:
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)
            return
        self.queue.put_nowait(event)


class LiveFeed:
    """Who listens for which person, and the fan-out of case events to them."""

    def __init__(self, max_queued: int = 100) -> None:
        if max_queued < 1:
            raise ValueError(f"max_queued must be at least 1, got {max_queued}")
        self._max_queued = max_queued
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[_Subscriber]] = {}

    def subscriber_count(self, person_id: str | None = None) -> int:
        """How many streams are open (for one person, or in all)."""
        with self._lock:
            if person_id is not None:
                return len(self._subscribers.get(person_id, ()))
            return sum(len(s) for s in self._subscribers.values())

    def publish(self, event: CaseEvent, audience: Iterable[str]) -> int:
        """Send ``event`` to every open stream of the people in ``audience``; returns how many streams."""
        with self._lock:
            targets = [sub for person in set(audience) for sub in self._subscribers.get(person, ())]
        live = LiveEvent(event=event)
        sent = 0
        for sub in targets:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, live)
                sent += 1
            except RuntimeError:  # the subscriber's loop is closed; it will unsubscribe itself
                continue
        return sent

    def subscribe(self, person_id: str) -> Subscription:
        """Start listening for ``person_id`` now (call inside the event loop that will read the events)."""
        sub = _Subscriber(person_id, asyncio.get_running_loop(), asyncio.Queue(), self._max_queued)
        with self._lock:
            self._subscribers.setdefault(person_id, set()).add(sub)
        return Subscription(self, sub)

    def _unsubscribe(self, sub: _Subscriber) -> None:
        with self._lock:
            subs = self._subscribers.get(sub.person_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[sub.person_id]


class Subscription:
    """An open stream of :class:`LiveEvent` for one person; close it (or use ``with``) when done."""

    def __init__(self, feed: LiveFeed, sub: _Subscriber) -> None:
        self._feed = feed
        self._sub = sub

    async def next(self, timeout_s: float | None = None) -> LiveEvent | None:
        """The next event, or None when ``timeout_s`` passes first."""
        try:
            return await asyncio.wait_for(self._sub.queue.get(), timeout_s)
        except TimeoutError:
            return None

    def __aiter__(self) -> AsyncIterator[LiveEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[LiveEvent]:
        while True:
            yield await self._sub.queue.get()

    def close(self) -> None:
        """Stop listening."""
        self._feed._unsubscribe(self._sub)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
