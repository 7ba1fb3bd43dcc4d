"""The unit of work: one database transaction per command, with the case events it produced.

A handler changes rows through ``uow.session``, records history with :func:`dispatch.history.record` (which
also queues the matching :class:`~gridwatch.messages.CaseEvent`), and calls :meth:`UnitOfWork.commit` once.
After the commit succeeds, the UoW hands the committed events to its ``after_commit`` hooks: the outbox relay
(which publishes them to ``gw.case-events`` and marks them published) and the live feed. A failing hook is
logged and never undoes the commit: the history rows are the outbox, and the relay publishes whatever is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.clock import Clock
from dispatch.domain.errors import CaseNotFoundError
from dispatch.domain.states import OPEN_STATES
from dispatch.persistence.case_tables import CaseRecord
from dispatch.settings import DispatchSettings
from gridwatch.config import SiteConfig
from gridwatch.messages import CaseEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    """A committed case event and the people who should see it live."""

    event: CaseEvent
    audience: frozenset[str]


AfterCommit = Callable[[Sequence[Published]], None]


class UnitOfWork:
    """One transaction: a session, the site configuration, "now", and the events recorded so far."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        site: SiteConfig,
        settings: DispatchSettings,
        clock: Clock,
        after_commit: Sequence[AfterCommit] = (),
    ) -> None:
        self._session_factory = session_factory
        self.site = site
        self.settings = settings
        self._clock = clock
        self._after_commit = tuple(after_commit)
        self._session: Session | None = None
        self.now: datetime = clock()
        self.pending: list[Published] = []
        self.committed: list[Published] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use it in a with block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self.now = self._clock()
        self.pending = []
        self.committed = []
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        """Commit the transaction, then pass the events it recorded to the after-commit hooks."""
        self.session.commit()
        done, self.pending = self.pending, []
        self.committed.extend(done)
        for hook in self._after_commit:
            try:
                hook(done)
            except Exception:
                log.exception("after-commit hook %r failed (the commit stands)", hook)

    def rollback(self) -> None:
        self.session.rollback()
        self.pending = []

    # --- reading cases -------------------------------------------------------------------------------------

    def case(self, case_id: str) -> CaseRecord:
        """The case with ``case_id``; :class:`CaseNotFoundError` when there is none."""
        found = self.session.get(CaseRecord, case_id)
        if found is None:
            raise CaseNotFoundError(f"no case {case_id}")
        return found

    def case_for_incident(self, incident_id: str) -> CaseRecord | None:
        """The case filed from an incident, if any."""
        return self.session.scalars(select(CaseRecord).where(CaseRecord.incident_id == incident_id)).first()

    def open_load(self, person_id: str) -> int:
        """How many open cases a person holds now."""
        count = self.session.scalar(
            select(func.count())
            .select_from(CaseRecord)
            .where(CaseRecord.assignee_id == person_id, CaseRecord.state.in_(OPEN_STATES))
        )
        return int(count or 0)


UnitOfWorkFactory = Callable[[], UnitOfWork]
