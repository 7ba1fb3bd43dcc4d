"""Logging set-up shared by the long-running commands (each calls it from its composition root)."""

from __future__ import annotations

import logging

#: Client libraries that log every connection step at INFO; their warnings and errors still show.
CHATTY_LIBRARIES = ("kafka", "aiokafka", "httpx", "httpcore")


def configure_logging(level: int | str, *, timestamps: bool = True) -> None:
    """Log to stderr at ``level``; the chatty client libraries at WARNING or above."""
    fmt = (
        "%(asctime)s %(levelname)s %(name)s: %(message)s"
        if timestamps
        else "%(levelname)s %(name)s: %(message)s"
    )
    logging.basicConfig(level=level, format=fmt)
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    floor = max(logging.WARNING, numeric if isinstance(numeric, int) else logging.WARNING)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(floor)
