"""One JSON request over HTTP, with every failure turned into a :class:`SendResult` (never an exception)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from dispatch.push.channel import SendResult, http_status_result


def transport_failure(service: str, error: httpx.HTTPError, secrets: tuple[str, ...] = ()) -> SendResult:
    """A network-level failure (refused, reset, timeout): transient; secrets are blanked from the text."""
    text = str(error) or type(error).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return SendResult.transient(f"{service} unreachable: {type(error).__name__}: {text}")


def request_json(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    service: str,
    timeout_s: float,
    params: Mapping[str, str] | None = None,
    payload: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: tuple[str, ...] = (),
    require_json: bool = True,
) -> dict[str, Any] | SendResult:
    """The reply's JSON object on a 2xx answer; otherwise a transient or permanent :class:`SendResult`.

    ``payload`` is sent as UTF-8 JSON with Chinese kept as is (``ensure_ascii=False``). Without
    ``require_json`` a 2xx answer whose body is empty or not a JSON object gives ``{}``.
    """
    content = None
    all_headers = dict(headers or {})
    if payload is not None:
        content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    try:
        response = client.request(
            method, url, params=params, content=content, headers=all_headers, timeout=timeout_s
        )
    except httpx.HTTPError as error:
        return transport_failure(service, error, secrets)
    if not response.is_success:
        return http_status_result(
            service, response.status_code, response.text, response.headers.get("Retry-After")
        )
    try:
        reply = response.json()
    except ValueError:
        if not require_json:
            return {}
        return SendResult.transient(
            f"{service} answered HTTP {response.status_code} with a body that is not JSON"
        )
    if not isinstance(reply, dict):
        if not require_json:
            return {}
        return SendResult.transient(f"{service} answered a JSON {type(reply).__name__}, not an object")
    return reply
