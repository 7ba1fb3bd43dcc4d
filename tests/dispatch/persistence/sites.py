"""Site configurations for the persistence tests, and a helper to derive edited copies of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.site_generator import SiteSpec, generate_site
from dispatch.persistence.site_sync import SyncReport, sync_site
from gridwatch.config import SiteConfig

EXAMPLE_SITE = Path(__file__).resolve().parents[3] / "examples" / "site.yaml"
"""The example site shipped with the repository."""

SMALL_SPEC = SiteSpec(cameras=12, micro_grids=3, micro_grids_per_community=2, seed=7)
"""Two community grids, three micro-grids, a dozen cameras: small enough to reason about row by row."""


def small_site_data(spec: SiteSpec = SMALL_SPEC) -> dict[str, Any]:
    """The small site as plain data (what its YAML file would hold)."""
    return generate_site(spec)


def site_from(data: dict[str, Any]) -> SiteConfig:
    """Validate site data, running every check the loader runs."""
    return SiteConfig.model_validate(data)


def edited(site: SiteConfig, edit: Callable[[dict[str, Any]], None]) -> SiteConfig:
    """A copy of ``site`` changed by ``edit`` (which mutates the plain data), validated again."""
    data = site.model_dump(mode="json")
    edit(data)
    return site_from(data)


def sync(engine: Engine, site: SiteConfig) -> SyncReport:
    """Sync ``site`` in a transaction of its own and commit."""
    with Session(engine) as session, session.begin():
        return sync_site(session, site)
