"""The server APIs of WeCom and DingTalk: a GET for an access token, then JSON POSTs carrying it.

Both answer HTTP 200 with ``{"errcode": 0, ...}`` on success and a non-zero ``errcode`` otherwise; an invalid
or expired token (40014 / 42001) is dropped and the call is made once more with a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from dispatch.push.channel import SendResult
from dispatch.push.http_json import request_json
from dispatch.push.token_cache import AccessTokenCache, IssuedToken

TOKEN_ERRCODES = frozenset({40014, 42001})
"""errcodes that mean the access token is invalid (40014) or expired (42001)."""


class _TokenError(Exception):
    def __init__(self, result: SendResult) -> None:
        super().__init__(result.detail)
        self.result = result


class TokenApiClient:
    """Calls one service's API with a cached access token.

    ``token_path`` and ``token_params`` form the token request (``GET base_url + token_path``); the secret in
    ``token_params`` is never written into a result's detail.
    """

    def __init__(
        self,
        *,
        service: str,
        client: httpx.Client,
        base_url: str,
        token_path: str,
        token_params: Mapping[str, str],
        secret: str,
        timeout_s: float,
        transient_errcodes: frozenset[int],
        clock: Callable[[], datetime],
    ) -> None:
        self.service = service
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._token_path = token_path
        self._token_params = dict(token_params)
        self._secret = secret
        self._timeout_s = timeout_s
        self._transient = transient_errcodes
        self._tokens = AccessTokenCache(self._fetch_token, clock)

    def _fetch_token(self) -> IssuedToken:
        reply = request_json(
            self._client,
            "GET",
            self._base_url + self._token_path,
            service=f"{self.service} gettoken",
            timeout_s=self._timeout_s,
            params=self._token_params,
            secrets=(self._secret,),
        )
        if isinstance(reply, SendResult):
            raise _TokenError(reply)
        errcode = reply.get("errcode", 0)
        token = reply.get("access_token")
        if errcode != 0 or not isinstance(token, str) or not token:
            raise _TokenError(self.errcode_result(reply, f"{self.service} gettoken"))
        expires_in = reply.get("expires_in", 7200)
        if not isinstance(expires_in, int | float) or expires_in <= 0:
            expires_in = 7200
        return IssuedToken(token, float(expires_in))

    def errcode_result(self, reply: Mapping[str, Any], what: str | None = None) -> SendResult:
        """A failure result for a reply with a non-zero (or missing) errcode."""
        errcode = reply.get("errcode")
        errmsg = " ".join(str(reply.get("errmsg", "")).split())[:200]
        detail = f"{what or self.service} errcode {errcode}: {errmsg or '(no errmsg)'}"
        if errcode in self._transient or errcode in TOKEN_ERRCODES:
            return SendResult.transient(detail)
        return SendResult.permanent(detail)

    def post(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any] | SendResult:
        """POST ``payload`` to ``base_url + path?access_token=...``: the reply when its errcode is 0, else a
        failure result (a token error is retried once with a new token before it counts)."""
        for round_ in (1, 2):
            try:
                token = self._tokens.get()
            except _TokenError as failure:
                return failure.result
            reply = request_json(
                self._client,
                "POST",
                self._base_url + path,
                service=self.service,
                timeout_s=self._timeout_s,
                params={"access_token": token},
                payload=payload,
                secrets=(self._secret, token),
            )
            if isinstance(reply, SendResult):
                return reply
            errcode = reply.get("errcode")
            if errcode == 0:
                return reply
            if errcode in TOKEN_ERRCODES and round_ == 1:
                self._tokens.invalidate(token)
                continue
            return self.errcode_result(reply)
        raise AssertionError("unreachable: the second round always returns")  # pragma: no cover
