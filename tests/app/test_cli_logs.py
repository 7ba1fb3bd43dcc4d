"""Long-running commands log at their level while chatty client libraries stay at WARNING or above."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from app.cli.logs import CHATTY_LIBRARIES, configure_logging


@pytest.fixture(autouse=True)
def _restore_levels() -> Iterator[None]:
    before = {name: logging.getLogger(name).level for name in CHATTY_LIBRARIES}
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(
    ("level", "expected"),
    [(logging.INFO, logging.WARNING), ("DEBUG", logging.WARNING), (logging.ERROR, logging.ERROR)],
)
def test_chatty_libraries_are_held_at_warning_or_above(level: int | str, expected: int) -> None:
    configure_logging(level)
    for name in CHATTY_LIBRARIES:
        assert logging.getLogger(name).getEffectiveLevel() == expected, name
    assert not logging.getLogger("kafka.conn").isEnabledFor(logging.INFO), "child loggers inherit the floor"
