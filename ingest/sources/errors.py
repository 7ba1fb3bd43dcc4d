"""Typed failures of a frame source; each carries a ``reason`` meant for the camera-status message."""

from __future__ import annotations


class SourceError(Exception):
    """A source failed; ``reason`` says why in words an operator understands."""

    #: Whether reconnecting may help (a network blip) or not (a missing file, an unset variable).
    retryable: bool = True

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class SourceUnavailableError(SourceError):
    """The source could not be opened or stopped delivering (refused, timed out, stream ended)."""


class SourceAuthError(SourceError):
    """The source refused our credentials; retrying helps only once someone fixes them."""


class SourceConfigError(SourceError):
    """The source cannot work as configured (unset credential variable, missing path, no video stream)."""

    retryable = False


class SourceExhaustedError(SourceError):
    """A finite source (a file without loop, an image folder) has delivered everything it has."""

    retryable = False


class BadFrameError(Exception):
    """One frame could not be used (corrupt, empty, wrong size); the camera keeps going."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
