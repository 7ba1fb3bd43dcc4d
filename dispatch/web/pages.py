"""Routes of the pages: the phone page and its PWA files under ``/m/``, the dashboard under ``/ops/``, the
resident rating page at ``/rate/<token>``, and the shared CSS and JavaScript under ``/static/gw/``.

Pages are static shells; they read everything through the API with the token kept in the browser.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse, RedirectResponse, Response

from dispatch.web.icons import ICON_SIZES, icon_png

router = APIRouter(include_in_schema=False)

STATIC_PREFIX = "/static/gw/"
_ASSET_NAME = re.compile(r"[a-z][a-z0-9-]*\.(js|css)")
_MEDIA = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' blob: data: http: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""Pages load nothing from elsewhere (evidence images from an http(s) store excepted)."""

_NO_CACHE = {"Cache-Control": "no-cache"}


@lru_cache(maxsize=32)
def asset(name: str) -> bytes:
    """The bytes of a file in :mod:`dispatch.web.assets`."""
    return resources.files("dispatch.web.assets").joinpath(name).read_bytes()


def _page(name: str) -> Response:
    headers = {
        **_NO_CACHE,
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(asset(name), media_type="text/html; charset=utf-8", headers=headers)


def manifest() -> dict[str, Any]:
    """The web app manifest of the phone page."""
    return {
        "name": "网格通 · 我的任务",
        "short_name": "网格通",
        "description": "微网格员任务：接单、拍照、处理反馈",
        "lang": "zh-CN",
        "id": "/m/",
        "start_url": "/m/",
        "scope": "/m/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f5",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": f"/m/icons/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png", "purpose": p}
            for size in ICON_SIZES
            for p in ("any", "maskable")
        ],
    }


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/m/", status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.get("/m")
def phone_slash() -> RedirectResponse:
    return RedirectResponse("/m/", status_code=status.HTTP_308_PERMANENT_REDIRECT)


@router.get("/m/")
def phone() -> Response:
    return _page("phone.html")


@router.get("/m/cases/{case_id}")
def phone_case(case_id: str) -> Response:
    return _page("phone.html")


@router.get("/m/manifest.webmanifest")
def phone_manifest() -> JSONResponse:
    return JSONResponse(manifest(), media_type="application/manifest+json", headers=_NO_CACHE)


@router.get("/m/sw.js")
def service_worker() -> Response:
    headers = {**_NO_CACHE, "Service-Worker-Allowed": "/m/"}
    return Response(asset("sw.js"), media_type=_MEDIA["js"], headers=headers)


@router.get("/m/icons/icon-{size}.png")
def icon(size: int) -> Response:
    if size not in ICON_SIZES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no icon of size {size}; sizes: {ICON_SIZES}")
    return Response(icon_png(size), media_type="image/png", headers={"Cache-Control": "max-age=86400"})


@router.get("/ops")
def ops_slash() -> RedirectResponse:
    return RedirectResponse("/ops/", status_code=status.HTTP_308_PERMANENT_REDIRECT)


@router.get("/ops/")
def ops() -> Response:
    return _page("ops.html")


@router.get("/ops/cases/{case_id}")
def ops_case(case_id: str) -> Response:
    return _page("ops.html")


@router.get("/rate/{token}")
def rate(token: str) -> Response:
    return _page("rate.html")


@router.get(STATIC_PREFIX + "{name}")
def static(name: str) -> Response:
    match = _ASSET_NAME.fullmatch(name)
    if match is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no asset {name!r}")
    try:
        data = asset(name)
    except FileNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no asset {name!r}") from None
    return Response(data, media_type=_MEDIA[match.group(1)], headers=_NO_CACHE)
