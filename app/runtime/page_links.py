"""Ready-made page links `gridwatch run` prints: the phone page of whoever takes the demo camera's cases now,
and the dashboard of an operator, each with a freshly issued API token (only its hash is stored)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gridwatch.config import Person, Role, SiteConfig

#: Label of the tokens `gridwatch run` issues (revoke with `gridwatch dispatch tokens revoke --person ID`).
TOKEN_LABEL = "gridwatch run link"
PHONE_PATH = "/m/"
DASHBOARD_PATH = "/ops/"


@dataclass(frozen=True)
class LinkTarget:
    """Someone to print a link for, the page, and why them."""

    person: Person
    path: str
    why: str


@dataclass(frozen=True)
class PageLink:
    """A page link with a fresh token in it."""

    target: LinkTarget
    url: str

    def line(self) -> str:
        """``phone     冯波 (p-002, worker on duty in mg-xq-01): URL``."""
        page = "phone" if self.target.path == PHONE_PATH else "dashboard"
        person = self.target.person
        return f"{page:<9} {person.name} ({person.id}, {self.target.why}): {self.url}"


def link_targets(site: SiteConfig, camera_ids: Sequence[str], at: datetime) -> list[LinkTarget]:
    """Phone pages for those who take the cameras' cases at ``at`` (the micro-grid's workers on duty, else its
    leader, as routing decides), then the dashboard of the first operator. ``at`` is an aware datetime."""
    targets: list[LinkTarget] = []
    seen: set[str] = set()
    for camera_id in camera_ids:
        grid = site.camera(camera_id).micro_grid
        if grid in seen:
            continue
        seen.add(grid)
        workers = [p for p in site.on_duty(grid, at) if p.role is Role.WORKER]
        if workers:
            targets.extend(LinkTarget(p, PHONE_PATH, f"worker on duty in {grid}") for p in workers)
        else:
            leader = site.leader_of(grid)
            why = f"leader of {grid}: no worker on duty now, cases go to the leader"
            targets.append(LinkTarget(leader, PHONE_PATH, why))
    operators = site.operators()
    if operators:
        targets.append(LinkTarget(operators[0], DASHBOARD_PATH, "operator"))
    return targets


def issue_page_links(
    session: Session, targets: Sequence[LinkTarget], base_url: str, now: datetime
) -> list[PageLink]:
    """A fresh token per target, in its page's URL (the caller commits)."""
    from dispatch.tokens import issue_token

    base = base_url.rstrip("/")
    links = []
    for target in targets:
        token = issue_token(session, target.person.id, now, TOKEN_LABEL)
        links.append(PageLink(target, f"{base}{target.path}?token={token}"))
    return links
