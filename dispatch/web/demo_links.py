"""Ready-made page links for a demo: fresh tokens for the operator and for the people of the micro-grid the
first live camera watches, so that ``gridwatch run`` can print links to open on a phone and a desktop.

Each call issues new tokens (labelled ``demo link``); revoke them with ``gridwatch dispatch tokens revoke``.
Only for demos: a production process leaves ``GW_DISPATCH_DEMO_LINKS`` unset.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dispatch.clock import Clock
from dispatch.tokens import issue_token
from gridwatch.config import Person, Role, SiteConfig

LABEL = "demo link"


@dataclass(frozen=True)
class DemoLink:
    """A link for one person to one page."""

    person: Person
    page: str
    url: str

    def line(self) -> str:
        """One line for a log: who, which page, the link."""
        role = {Role.WORKER: "网格员", Role.LEADER: "网格长", Role.OPERATOR: "指挥中心"}.get(
            self.person.role, self.person.role.value
        )
        return f"{self.page} for {self.person.name} ({self.person.id}, {role}): {self.url}"


def demo_people(site: SiteConfig) -> list[Person]:
    """The first operator, then the leader and workers of the micro-grid of the first enabled camera with
    zones (one of them gets that camera's tasks, by the roster of the moment)."""
    people: list[Person] = list(site.operators()[:1])
    camera = next((c for c in site.cameras if c.enabled and c.zones), None)
    if camera is not None:
        people.append(site.leader_of(camera.micro_grid))
        people.extend(site.workers_of(camera.micro_grid))
    return people


def demo_links(session: Session, site: SiteConfig, base_url: str, clock: Clock) -> list[DemoLink]:
    """Issue a token per demo person and build their links (the caller commits)."""
    links = []
    now = clock()
    base = base_url.rstrip("/")
    for person in demo_people(site):
        token = issue_token(session, person.id, now, LABEL)
        page, path = ("dashboard", "/ops/") if person.role is Role.OPERATOR else ("phone page", "/m/")
        links.append(DemoLink(person, page, f"{base}{path}?token={token}"))
    return links
