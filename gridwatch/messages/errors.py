"""The error every decoder raises for a record it cannot accept."""

from __future__ import annotations


class MalformedMessage(ValueError):  # noqa: N818 - the name the whole pipeline uses
    """A record that is not a valid Gridwatch message; ``reason`` says precisely what is wrong."""

    def __init__(self, reason: str, *, topic: str | None = None) -> None:
        self.reason = reason
        self.topic = topic
        super().__init__(f"{topic}: {reason}" if topic else reason)
