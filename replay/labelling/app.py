"""A small FastAPI app serving the labelling page for a set of footage items.

Routes: ``/`` the page; ``/api/footage`` the footage with its zones (polygons as fractions of the image) and
frame times; ``/api/footage/{i}/frames/{n}.jpg`` a frame; ``/api/labels`` the labels it started with;
``POST /api/labels/import`` CSV or JSON text to labels (422 naming line and problem);
``POST /api/labels/export?format=csv|json`` labels to a file. Parsing and writing use :mod:`replay.labels`,
the same code ``gridwatch replay --labels`` reads with.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from gridwatch.config import SiteConfig
from replay.errors import ReplayError
from replay.footage import FootageItem
from replay.labelling.frames import FootageFrames, load_frames
from replay.labels import Label, make_label, parse_csv, parse_json, time_text, to_csv, to_json
from replay.runner import camera_of


class LabelRow(BaseModel):
    """A label as the page sends it (times in seconds from the footage start)."""

    model_config = ConfigDict(extra="forbid")

    camera: str = Field(description="Camera id.")
    zone: str = Field(description="Zone id.")
    label_class: str = Field(alias="class", description="Rule kind or class code.")
    start: float | str = Field(description="Seconds from the footage start, or an ISO time.")
    end: float | str = Field(description="Seconds from the footage start, or an ISO time.")
    note: str = Field(default="", description="Free text.")


def _row(label: Label) -> dict[str, Any]:
    return {
        "camera": label.camera,
        "zone": label.zone,
        "class": label.rule.value,
        "start": time_text(label.start, label.absolute),
        "end": time_text(label.end, label.absolute),
        "absolute": label.absolute,
        "note": label.note,
    }


def _footage_json(index: int, frames: FootageFrames) -> dict[str, Any]:
    camera = frames.camera
    return {
        "index": index,
        "camera": camera.id,
        "path": str(frames.item.path),
        "offsets": list(frames.offsets),
        "width": frames.width,
        "height": frames.height,
        "zones": [
            {
                "id": zone.id,
                "name": zone.name,
                "polygon": [list(p) for p in zone.normalized_polygon(camera.width, camera.height)],
                "rules": [rule.kind.value for rule in zone.rules],
            }
            for zone in camera.zones
        ],
    }


def create_app(
    site: SiteConfig, items: list[FootageItem], labels: list[Label], *, interval_s: float = 1.0
) -> FastAPI:
    """The labelling app for ``items`` (cameras of ``site``), starting from ``labels``."""
    footage = [load_frames(item, camera_of(site, item.camera), interval_s) for item in items]
    app = FastAPI(title="Gridwatch labelling", docs_url=None, redoc_url=None)
    page = resources.files("replay.labelling").joinpath("page.html").read_text(encoding="utf-8")

    @app.exception_handler(ReplayError)
    async def bad_labels(_request: Request, error: ReplayError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    @app.get("/api/footage")
    def list_footage() -> list[dict[str, Any]]:
        return [_footage_json(i, f) for i, f in enumerate(footage)]

    @app.get("/api/footage/{index}/frames/{number}.jpg")
    def frame(index: int, number: int) -> Response:
        if not 0 <= index < len(footage) or not 0 <= number < len(footage[index].jpegs):
            raise HTTPException(404, f"no frame {number} of footage {index}")
        return Response(footage[index].jpegs[number], media_type="image/jpeg")

    @app.get("/api/labels")
    def initial_labels() -> list[dict[str, Any]]:
        return [_row(label) for label in labels]

    @app.post("/api/labels/import")
    def import_labels(
        text: Annotated[str, Body(media_type="text/plain")],
        name: Annotated[str, Query(description="File name; .json is read as JSON, else CSV.")] = "labels.csv",
    ) -> list[dict[str, Any]]:
        parsed = parse_json(text, name) if name.lower().endswith(".json") else parse_csv(text, name)
        return [_row(label) for label in parsed]

    @app.post("/api/labels/export")
    def export_labels(
        rows: list[LabelRow], format: Annotated[Literal["csv", "json"], Query()] = "csv"
    ) -> Response:
        parsed = [make_label(row.model_dump(by_alias=True), f"labels[{i}]") for i, row in enumerate(rows)]
        if format == "json":
            return Response(to_json(parsed), media_type="application/json")
        return Response(to_csv(parsed), media_type="text/csv")

    return app
