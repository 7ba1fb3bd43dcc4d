"""The live feed (thread-safe fan-out, resync on overflow) and delivery outcomes recorded on the case."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from dispatch.live import LiveFeed
from gridwatch.messages import CaseEvent, CaseEventKind
from tests.dispatch.core.flows import WORKER, file_case
from tests.dispatch.core.harness import Harness, local


def _event(n: int) -> CaseEvent:
    return CaseEvent(
        event_id=f"e{n}", case_id="c1", kind=CaseEventKind.DISPATCHED, at=float(n), actor="system"
    )


def test_events_published_from_another_thread_reach_only_their_audience() -> None:
    feed = LiveFeed()

    async def scenario() -> tuple[list[str], bool]:
        mine = feed.subscribe("p-002")
        other = feed.subscribe("p-004")
        thread = threading.Thread(target=lambda: [feed.publish(_event(n), {"p-002"}) for n in range(3)])
        thread.start()
        thread.join()
        got = []
        for _ in range(3):
            item = await mine.next(timeout_s=2)
            assert item is not None and item.event is not None
            got.append(item.event.event_id)
        nothing = await other.next(timeout_s=0.05)
        mine.close()
        other.close()
        return got, nothing is None

    got, other_empty = asyncio.run(scenario())
    assert got == ["e0", "e1", "e2"]
    assert other_empty
    assert feed.subscriber_count() == 0


def test_a_subscriber_that_falls_behind_gets_one_resync() -> None:
    feed = LiveFeed(max_queued=2)

    async def scenario() -> list[bool]:
        sub = feed.subscribe("p-002")
        for n in range(5):
            feed.publish(_event(n), {"p-002"})
        # the five hand-offs run in the loop, in order, before this coroutine resumes with the first item
        first = await sub.next(timeout_s=5)
        assert first is not None
        items = [first.resync]
        while (item := await sub.next(timeout_s=0.05)) is not None:
            items.append(item.resync)
        sub.close()
        return items

    assert asyncio.run(scenario()) == [True]


def test_failed_push_is_recorded_on_the_case(harness: Harness) -> None:
    harness.notifier.failing.add(WORKER)
    case_id = file_case(harness)
    harness.tick()
    assert harness.kinds(case_id) == ["filed", "dispatched", "delivery_failed"]
    harness.tick()  # a failed push is not retried by the core (the notifier did its retries and fallbacks)
    assert len(harness.notifier.sent) == 1


def test_a_push_left_sending_by_a_crash_is_sent_again_later(harness: Harness) -> None:
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from dispatch.persistence.case_tables import DeliveryRecord, DeliveryStatus

    case_id = file_case(harness)
    with Session(harness.engine) as session, session.begin():  # the process died after claiming it
        session.execute(
            update(DeliveryRecord).values(status=DeliveryStatus.SENDING, claimed_at=harness.clock())
        )
    harness.tick()
    assert harness.notifier.sent == []
    harness.clock.advance(minutes=6)
    harness.tick()
    assert [n.case_id for n in harness.notifier.sent] == [case_id]


def test_a_transient_failure_is_tried_again_at_its_scheduled_time_not_before(harness: Harness) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dispatch.persistence.case_tables import DeliveryRecord

    def delivery() -> DeliveryRecord:
        with Session(harness.engine) as session:
            return session.scalars(select(DeliveryRecord)).one()

    due = local("2026-11-23 09:00") + timedelta(seconds=90)
    harness.notifier.retry_after_s[WORKER] = 90.0
    case_id = file_case(harness)
    harness.tick()
    waiting = delivery()
    assert (waiting.status.value, waiting.next_attempt_at) == ("pending", due)
    assert (waiting.channel_index, waiting.channel_tries) == (0, 1)
    assert [item["detail"] for item in waiting.attempt_log or []] == ["HTTP 503"]
    assert harness.kinds(case_id) == ["filed", "dispatched"]  # not finished: nothing recorded on the case

    harness.clock.set(due - timedelta(seconds=1))
    harness.tick()
    assert len(harness.notifier.sent) == 1  # not due yet

    harness.clock.set(due)
    harness.tick()
    done = delivery()
    assert len(harness.notifier.sent) == 2
    assert (done.status.value, done.next_attempt_at) == ("delivered", None)
    assert harness.kinds(case_id) == ["filed", "dispatched", "delivered"]
    assert done.outcome is not None
    assert [(a["detail"], a["ok"]) for a in done.outcome["attempts"]] == [("HTTP 503", False), ("ok", True)]
