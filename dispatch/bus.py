"""The message bus: each command goes to its one handler, in a fresh unit of work.

A command that loses a race (another transaction filed the same incident first, or changed the same case:
``IntegrityError`` / ``StaleDataError``) runs again, up to ``retries`` times, in a new unit of work that sees
the winner's result; after that the conflict is reported as :class:`~dispatch.domain.errors.ConflictError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from dispatch.domain import commands as c
from dispatch.domain.errors import ConflictError
from dispatch.handlers import incidents, photos, timers, workflow
from dispatch.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[Any, UnitOfWork], Any]

HANDLERS: dict[type[c.Command], Handler] = {
    c.ReceiveIncident: incidents.receive_incident,
    c.ConfirmCase: workflow.confirm_case,
    c.RejectCase: workflow.reject_case,
    c.ReportNothingThere: workflow.report_nothing_there,
    c.AcceptCase: workflow.accept_case,
    c.AddPhoto: photos.add_photo,
    c.HandleCase: workflow.handle_case,
    c.VerifyCase: workflow.verify_case,
    c.ReturnCase: workflow.return_case,
    c.CloseCase: workflow.close_case,
    c.ReopenCase: workflow.reopen_case,
    c.TransferCase: workflow.transfer_case,
    c.EscalateCase: workflow.escalate_case,
    c.RateCase: workflow.rate_case,
    c.FireTimer: timers.fire_timer,
}
"""Every command and the one function that handles it."""


class MessageBus:
    """Runs commands: ``bus.handle(AcceptCase(case_id, actor))``."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *, retries: int = 2) -> None:
        self.uow_factory = uow_factory
        self._retries = retries

    def handle(self, command: c.Command) -> Any:
        """Run ``command``'s handler in a new unit of work; returns what the handler returns."""
        handler = HANDLERS[type(command)]
        for attempt in range(self._retries + 1):
            try:
                with self.uow_factory() as uow:
                    return handler(command, uow)
            except (IntegrityError, StaleDataError) as error:
                if attempt == self._retries:
                    raise ConflictError(
                        "the case was changed by someone else at the same time; try again"
                    ) from error
                log.info(
                    "%s lost a race (%s); running it again", type(command).__name__, type(error).__name__
                )
        raise AssertionError("unreachable")  # pragma: no cover
