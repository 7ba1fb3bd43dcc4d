"""Problems found in a site configuration, and the error that carries all of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

Loc = tuple[str | int, ...]
"""A location inside the configuration document: mapping keys and list indexes, outermost first."""


def format_path(loc: Loc) -> str:
    """Render a location the way people write it: ``cameras[3].zones[0].polygon``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a site configuration.

    ``path`` names the field (``cameras[3].zones[0].polygon``; empty for the whole document), ``message`` says
    what is wrong with it, and ``line`` is the 1-based line of the YAML file where it sits, when known.
    """

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def render(self, source: str | Path | None = None) -> str:
        """One line as a compiler would print it: ``site.yaml:12: cameras[0].zonez: unknown field``."""
        where = ""
        if source is not None:
            where = f"{source}:{self.line}: " if self.line is not None else f"{source}: "
        elif self.line is not None:
            where = f"line {self.line}: "
        return f"{where}{self}"


class SiteConfigError(Exception):
    """A site configuration that cannot be used, with every problem found in it.

    Deliberately not a ``ValueError``: raised from inside the root model's validator it passes through
    pydantic unchanged, so the problems keep their own field paths.
    """

    def __init__(self, problems: Iterable[Problem], source: str | Path | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        if not self.problems:
            raise ValueError("SiteConfigError needs at least one problem")
        super().__init__(self.report())

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(problem.render(self.source) for problem in self.problems)

    def with_source(self, source: str | Path, problems: Iterable[Problem] | None = None) -> SiteConfigError:
        """The same error attributed to a file (optionally with problems that now carry line numbers)."""
        return SiteConfigError(self.problems if problems is None else problems, source)
