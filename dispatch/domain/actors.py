"""Who does something to a case: a person from the site configuration, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.config import Person, Role
from gridwatch.messages import SYSTEM_ACTOR


@dataclass(frozen=True)
class Actor:
    """A person, or the system (timers, the camera re-check, the router) when ``person`` is None."""

    person: Person | None = None

    @property
    def id(self) -> str:
        """The person id, or ``"system"``."""
        return SYSTEM_ACTOR if self.person is None else self.person.id

    @property
    def is_system(self) -> bool:
        return self.person is None

    def has_role(self, *roles: Role) -> bool:
        """Whether the actor is a person with one of ``roles``."""
        return self.person is not None and self.person.role in roles


SYSTEM = Actor()
"""The actor of everything no person caused."""
