"""An Open311 GeoReport v2 read API, so civic systems can consume cases: services (the event classes) and
requests (the cases). JSON only; public, carrying no personal data and no evidence images (``media_url``
is empty).

GeoReport v2 mapping: ``service_code`` = class code, ``service_request_id`` = case id, ``status`` = open or
closed (closed: closed or rejected), ``requested_datetime`` = filed, ``expected_datetime`` = handling
deadline, ``agency_responsible`` = the line department of the class, ``lat``/``long`` = the camera.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select

from dispatch.api.context import Ctx
from dispatch.domain.states import CaseState
from dispatch.persistence.case_tables import CaseRecord
from dispatch.site_names import SiteNames

router = APIRouter(prefix="/open311/v2", tags=["open311"])

CLOSED = (CaseState.CLOSED, CaseState.REJECTED)
MAX_REQUESTS = 1000


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _check_format(fmt: str) -> JSONResponse | None:
    if fmt != "json":
        return _error(400, f"format {fmt!r} is not supported; use .json")
    return None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _request(names: SiteNames, case: CaseRecord) -> dict[str, Any]:
    class_names = names.event_class(case.class_code)
    service_name, agency = class_names.name, class_names.department
    closed = case.state in CLOSED
    notes = {
        CaseState.REJECTED: "rejected: false alarm",
        CaseState.CLOSED: "closed" if case.resolution is None else f"closed: {case.resolution.value}",
    }.get(case.state, case.state.value)
    return {
        "service_request_id": case.id,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": service_name,
        "service_code": case.class_code,
        "description": f"{service_name}: {case.place}",
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _iso(case.filed_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.handle_due_at),
        "address": case.place,
        "address_id": case.camera_id,
        "zipcode": "",
        "lat": case.lat,
        "long": case.lon,
        "media_url": "",
    }


@router.get("/services.{fmt}", summary="GeoReport v2: service list (event classes)")
def services(ctx: Ctx, fmt: str) -> Any:
    if (error := _check_format(fmt)) is not None:
        return error
    site = ctx.core.site
    return [
        {
            "service_code": cls.code,
            "service_name": cls.name,
            "description": f"{cls.name}; handled within {cls.handle_within_h:g} working hours",
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(rule.value for rule in cls.rules),
            "group": site.department_for(cls).name,
        }
        for cls in site.event_classes
    ]


def _parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a W3C/ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{name} {value!r} has no time zone offset")
    return moment


@router.get("/requests.{fmt}", summary="GeoReport v2: service requests (cases)")
def requests(
    ctx: Ctx,
    fmt: str,
    service_request_id: Annotated[str | None, Query(description="Comma-separated case ids.")] = None,
    service_code: Annotated[str | None, Query(description="Only this class code.")] = None,
    start_date: Annotated[str | None, Query(description="Filed at or after (ISO 8601 with offset).")] = None,
    end_date: Annotated[str | None, Query(description="Filed before (ISO 8601 with offset).")] = None,
    status: Annotated[str | None, Query(description="open or closed (comma-separated allowed).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_REQUESTS, description="At most this many.")] = 200,
) -> Any:
    if (error := _check_format(fmt)) is not None:
        return error
    try:
        start, end = _parse_time(start_date, "start_date"), _parse_time(end_date, "end_date")
    except ValueError as problem:
        return _error(400, str(problem))
    query = select(CaseRecord)
    if service_request_id:
        query = query.where(CaseRecord.id.in_([part.strip() for part in service_request_id.split(",")]))
    if service_code:
        query = query.where(CaseRecord.class_code == service_code)
    if start is not None:
        query = query.where(CaseRecord.filed_at >= start)
    if end is not None:
        query = query.where(CaseRecord.filed_at < end)
    if status:
        wanted = {part.strip() for part in status.split(",")}
        if not wanted <= {"open", "closed"}:
            return _error(400, f"status {status!r} must be open, closed or both")
        if wanted == {"open"}:
            query = query.where(CaseRecord.state.not_in(CLOSED))
        elif wanted == {"closed"}:
            query = query.where(CaseRecord.state.in_(CLOSED))
    query = query.order_by(CaseRecord.filed_at.desc()).limit(limit)
    with ctx.core.session_factory() as session:
        names = ctx.names(session)
        return [_request(names, case) for case in session.scalars(query)]


@router.get("/requests/{request_id}.{fmt}", summary="GeoReport v2: one service request")
def request_by_id(ctx: Ctx, request_id: str, fmt: str) -> Any:
    if (error := _check_format(fmt)) is not None:
        return error
    with ctx.core.session_factory() as session:
        case = session.get(CaseRecord, request_id)
        if case is None:
            return _error(404, f"no service request {request_id}")
        return [_request(ctx.names(session), case)]
