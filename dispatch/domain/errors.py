"""Errors a command can end in; the API maps each to one HTTP status with the message as the body."""

from __future__ import annotations

from dispatch.domain.states import IllegalTransitionError


class DispatchError(Exception):
    """Base of the errors below; the message names the problem for the person who caused it."""


class CaseNotFoundError(DispatchError):
    """No such case, or none the actor may see (HTTP 404: existence is not revealed)."""


class NotAllowedError(DispatchError):
    """The actor may see the case but not do this to it (HTTP 403)."""


class InvalidCommandError(DispatchError):
    """The command itself is wrong: an unknown person, a missing photo, a score out of range (HTTP 422)."""


class ConflictError(DispatchError):
    """The command clashes with what is already stored: a used rating link, a concurrent change (HTTP 409)."""


__all__ = [
    "CaseNotFoundError",
    "ConflictError",
    "DispatchError",
    "IllegalTransitionError",
    "InvalidCommandError",
    "NotAllowedError",
]
