"""The lines `gridwatch run` prints so people know where to look: the API, the demo camera, page links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.demo.casting import default_demo_cameras
from app.runtime.dispatch_address import DispatchAddress
from app.runtime.page_links import issue_page_links, link_targets
from gridwatch.config import Camera, RuleKind, SiteConfig


def _now() -> datetime:
    return datetime.now(UTC)


def demo_camera_line(camera: Camera) -> str | None:
    """What the demo camera should show and when: its parking zone, the dwell, the expected delay."""
    for zone in camera.zones:
        rule = zone.rule(RuleKind.EBIKE_PARKING)
        if rule is None:
            continue
        # The dwell runs from the first sample counted inside (inertia samples), and still scenes are sampled
        # once per keepalive at worst.
        step = max(camera.sample_interval_s, camera.motion_gate.keepalive_s)
        expect_s = rule.dwell_s + rule.inertia * step
        return (
            f"demo      {camera.id} {camera.name} ({camera.micro_grid}): parked two-wheelers in zone "
            f"{zone.id} {zone.name} (dwell {rule.dwell_s:g} s): an incident, then a case, about "
            f"{expect_s:.0f} s after its first frame"
        )
    return None


def write_where_to_look(
    out: TextIO,
    site: SiteConfig,
    address: DispatchAddress,
    database_url: str,
    *,
    links: bool = True,
    now: Callable[[], datetime] = _now,
) -> None:
    """Write the dispatch URLs, the demo camera and (with ``links``) freshly issued page links to ``out``."""
    if address.note:
        out.write(f"dispatch  {address.note}\n")
    out.write(f"dispatch  {address.base_url} (API docs {address.docs_url})\n")
    demo_ids = default_demo_cameras(site)
    for camera_id in demo_ids:
        line = demo_camera_line(site.camera(camera_id))
        if line:
            out.write(line + "\n")
    if not links:
        return
    targets = link_targets(site, demo_ids, now())
    try:
        from dispatch.persistence import make_engine

        engine = make_engine(database_url)
        try:
            with Session(engine) as session, session.begin():
                page_links = issue_page_links(session, targets, address.base_url, now())
        finally:
            engine.dispose()
    except SQLAlchemyError as error:
        out.write(f"links     could not issue tokens: {type(error).__name__}: {error}\n")
        return
    for link in page_links:
        out.write(link.line() + "\n")
