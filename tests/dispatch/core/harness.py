"""A dispatch core on a real (migrated, site-synced) database with fakes at its edges: a settable clock, a
notifier that records every notice, and a publisher that records every case event.

The core's background loops (timers, deliveries, outbox relay) run on their threads for the whole test, as
in the process; :meth:`Harness.tick` wakes each and waits for a full round of it. They poll only once a
minute, so between ticks nothing happens but what a commit wakes (the outbox relay). Tests make harnesses with
the ``new_harness`` fixture (``tests/dispatch/conftest.py``), which stops their loops after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.bootstrap.dispatch import build_core
from dispatch.core import DispatchCore
from dispatch.outbox import CaseEventPublisher
from dispatch.persistence.case_tables import CaseHistoryRecord, CaseRecord
from dispatch.persistence.site_sync import sync_site
from dispatch.push.notice import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryProgress,
    DeliveryStep,
    Notifier,
    TaskNotice,
)
from dispatch.settings import DispatchSettings
from gridwatch.config import Person, SiteConfig, load_site
from gridwatch.messages import CaseEvent, Incident

EXAMPLE_SITE = Path(__file__).resolve().parents[3] / "examples" / "site.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """A Shanghai local time, e.g. ``local("2026-11-23 09:00")`` (a Monday)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


ROUND_TIMEOUT_S = 60.0
"""Longest a test waits for one round of a loop (rounds take milliseconds; the bound is for stuck threads)."""


class FakeClock:
    """A clock tests set and move."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@dataclass
class RecordingNotifier:
    """A Notifier (the dispatch/push contract) that records notices; fails for the people in ``failing``;
    for those in ``retry_after_s``, a first try fails transiently and asks for the next that much later."""

    clock: FakeClock
    sent: list[TaskNotice] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    retry_after_s: dict[str, float] = field(default_factory=dict)

    def attempt(self, person: Person, notice: TaskNotice, progress: DeliveryProgress) -> DeliveryStep:
        self.sent.append(notice)
        if person.id in self.retry_after_s and not progress.attempts:
            busy = DeliveryAttempt(channel="webpush", ok=False, detail="HTTP 503", at=self.clock())
            return DeliveryStep.retry(DeliveryProgress(0, 1, (busy,)), self.retry_after_s[person.id])
        ok = person.id not in self.failing
        attempt = DeliveryAttempt(
            channel="webpush", ok=ok, detail="ok" if ok else "410 Gone", at=self.clock()
        )
        attempts = (*progress.attempts, attempt)
        return DeliveryStep.finished(DeliveryOutcome(person.id, ok, "webpush" if ok else None, attempts))

    def kinds_for(self, person_id: str) -> list[str]:
        return [str(n.kind) for n in self.sent if n.recipient_id == person_id]


@dataclass
class RecordingPublisher:
    """A CaseEventPublisher that records; ``broken`` makes it fail like a broker that is down."""

    events: list[CaseEvent] = field(default_factory=list)
    broken: bool = False

    def publish(self, events: Sequence[CaseEvent]) -> None:
        if self.broken:
            raise ConnectionError("broker down")
        self.events.extend(events)


@dataclass
class Harness:
    engine: Engine
    site: SiteConfig
    clock: FakeClock
    notifier: RecordingNotifier
    publisher: RecordingPublisher
    core: DispatchCore

    def case(self, case_id: str) -> CaseRecord:
        with Session(self.engine) as session:
            found = session.get(CaseRecord, case_id)
            assert found is not None, f"no case {case_id}"
            session.expunge(found)
            return found

    def case_of(self, incident_id: str) -> CaseRecord:
        with Session(self.engine) as session:
            found = session.scalars(select(CaseRecord).where(CaseRecord.incident_id == incident_id)).one()
            session.expunge(found)
            return found

    def cases(self) -> list[CaseRecord]:
        with Session(self.engine) as session:
            return list(session.scalars(select(CaseRecord)))

    def history(self, case_id: str) -> list[tuple[str, str | None, str | None, str]]:
        """(kind, from, to, actor) of a case, in order."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(CaseHistoryRecord)
                .where(CaseHistoryRecord.case_id == case_id)
                .order_by(CaseHistoryRecord.seq)
            )
            return [(r.kind.value, r.from_state, r.to_state, r.actor) for r in rows]

    def kinds(self, case_id: str) -> list[str]:
        return [kind for kind, *_ in self.history(case_id)]

    def tick(self, timeout_s: float = ROUND_TIMEOUT_S) -> None:
        """One full round of each production loop, begun after this call: due timers fire, owed pushes go
        out, recorded events are published (a loop whose round fails logs it, as in the process)."""
        for loop in self.core.loops:
            loop.run_round(timeout_s)

    def stop(self) -> None:
        """Stop the loops, as when the process stops."""
        self.core.stop()


def make_harness(
    engine: Engine,
    start: datetime,
    site: SiteConfig | None = None,
    *,
    notifier_for: Callable[[FakeClock], Notifier] | None = None,
    publisher: CaseEventPublisher | None = None,
    **settings: Any,
) -> Harness:
    """A harness with its loops running, each past its first round (work left by an earlier harness on the
    same database, as after a restart, is done when this returns); the caller stops it.

    ``notifier_for`` gives the core another notifier (a real one, on the harness clock) instead of the
    recording one (``harness.notifier`` then records nothing); ``publisher`` another case-event publisher (a
    real broker's) instead of the recording one.
    """
    site = site or load_site(EXAMPLE_SITE)
    with Session(engine) as session, session.begin():
        sync_site(session, site)
    clock = FakeClock(start)
    notifier = RecordingNotifier(clock)
    settings.setdefault("timer_poll_s", 60.0)
    core_notifier = notifier if notifier_for is None else notifier_for(clock)
    recorder = RecordingPublisher()
    core = build_core(engine, site, DispatchSettings(**settings), clock, core_notifier, publisher or recorder)
    harness = Harness(engine, site, clock, notifier, recorder, core)
    core.start()
    try:
        harness.tick()
    except BaseException:
        harness.stop()
        raise
    return harness


class HarnessFactory(Protocol):
    """The ``new_harness`` fixture: a running harness on the test's database, stopped after the test."""

    def __call__(
        self,
        start: datetime,
        site: SiteConfig | None = None,
        *,
        notifier_for: Callable[[FakeClock], Notifier] | None = None,
        publisher: CaseEventPublisher | None = None,
        **settings: Any,
    ) -> Harness: ...


def incident(
    incident_id: str = "inc-1",
    *,
    lifecycle: str = "new",
    revision: int = 1,
    camera_id: str = "cam-0001",
    zone_id: str = "z-sidewalk",
    micro_grid_id: str = "mg-xq-01",
    rule: str = "ebike_parking",
    observed_at: datetime | None = None,
    started_at: datetime | None = None,
    object_count: int = 3,
    evidence_url: str | None = "http://evidence.example/inc-1.jpg",
    boxes: tuple[tuple[float, float, float, float], ...] = (),
    model_id: str | None = None,
) -> Incident:
    """An incident message (class code follows the rule)."""
    codes = {"ebike_parking": "06", "storefront_trading": "04", "mobile_vendor": "01"}
    started = started_at or local("2026-11-23 08:50")
    observed = observed_at or started
    return Incident(
        incident_id=incident_id,
        lifecycle=lifecycle,
        revision=revision,
        camera_id=camera_id,
        zone_id=zone_id,
        micro_grid_id=micro_grid_id,
        rule=rule,
        class_code=codes[rule],
        started_at=started.timestamp(),
        observed_at=observed.timestamp(),
        ended_at=observed.timestamp() if lifecycle == "end" else None,
        dwell_s=600.0 + (observed - started).total_seconds(),
        object_count=object_count,
        boxes=boxes,
        evidence_url=evidence_url,
        model_id=model_id,
    )
