"""``/api/v1/site/map`` and ``/api/v1/cameras``: what the dashboard draws its map from (grid boundaries,
cameras with their latest health)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from dispatch.api.auth import CurrentPerson
from dispatch.api.context import Ctx
from dispatch.api.schemas import Out
from dispatch.clock import from_epoch

router = APIRouter(prefix="/api/v1", tags=["site"])


class GridOut(Out):
    id: str = Field(description="Grid id.")
    name: str = Field(description="Grid name.")
    community_id: str | None = Field(description="The community grid of a micro-grid; None for others.")
    boundary: dict[str, Any] | None = Field(description="GeoJSON Polygon or MultiPolygon ([lon, lat]).")


class SiteMapOut(Out):
    site_name: str = Field(description="Name of the site (the operations centre).")
    town: GridOut = Field(description="The town grid.")
    communities: list[GridOut] = Field(description="Community grids.")
    micro_grids: list[GridOut] = Field(description="Micro-grids, in file order.")


class CameraOut(Out):
    id: str = Field(description="Camera id.")
    name: str = Field(description="Where it looks.")
    micro_grid_id: str = Field(description="The micro-grid it watches.")
    lat: float = Field(description="Latitude (WGS-84).")
    lon: float = Field(description="Longitude (WGS-84).")
    enabled: bool = Field(description="Whether ingest opens it.")
    muted: bool = Field(description="Evaluated but sends no incident.")
    status: str = Field(
        description="online, degraded, offline, finished (a file or folder read to its end), or unknown "
        "when no status was heard."
    )
    reason: str = Field(description="Why it is degraded or offline.")
    status_at: datetime | None = Field(description="When the status was assessed.")
    model: str | None = Field(
        description="The detection model the site names for the camera; None: the detector worker's default."
    )
    verifier: str | None = Field(description="The id (folder name) of the camera's verifier, if any.")
    dismissed_spots: int = Field(description="Dismissed spots (rule exceptions) that still apply.")


def _boundary(value: Any) -> dict[str, Any] | None:
    return None if value is None else dict(value.model_dump(mode="json"))


@router.get("/site/map", response_model=SiteMapOut, summary="Grids and their boundaries, for a map")
def site_map(ctx: Ctx, person: CurrentPerson) -> SiteMapOut:
    site = ctx.core.site
    town = site.town
    return SiteMapOut(
        site_name=site.site.name,
        town=GridOut(id=town.id, name=town.name, community_id=None, boundary=_boundary(town.boundary)),
        communities=[
            GridOut(id=c.id, name=c.name, community_id=None, boundary=_boundary(c.boundary))
            for c in site.communities
        ],
        micro_grids=[
            GridOut(id=m.id, name=m.name, community_id=c.id, boundary=_boundary(m.boundary))
            for c in site.communities
            for m in c.micro_grids
        ],
    )


@router.get("/cameras", response_model=list[CameraOut], summary="Cameras with their latest health")
def cameras(ctx: Ctx, person: CurrentPerson) -> list[CameraOut]:
    board = ctx.cameras.snapshot()
    now = ctx.core.clock().timestamp()
    answer = []
    for camera in ctx.core.site.cameras:
        heard = board.get(camera.id)
        answer.append(
            CameraOut(
                id=camera.id,
                name=camera.name,
                micro_grid_id=camera.micro_grid,
                lat=camera.location.lat,
                lon=camera.location.lon,
                enabled=camera.enabled,
                muted=camera.muted,
                status="unknown" if heard is None else heard.status.value,
                reason="" if heard is None else heard.reason,
                status_at=None if heard is None else from_epoch(heard.at),
                model=camera.detection.model,
                verifier=None if camera.detection.verifier is None else camera.detection.verifier.name,
                dismissed_spots=sum(spot.active_at(now) for spot in camera.exceptions),
            )
        )
    return answer
