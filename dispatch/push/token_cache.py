"""An access token kept until shortly before it expires (WeCom and DingTalk both hand out 2-hour tokens)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class IssuedToken:
    """A token and the number of seconds it is valid for, as the service reported."""

    value: str
    expires_in_s: float


class AccessTokenCache:
    """Holds one token; fetches a new one when none is held, it is about to expire, or it was invalidated.

    ``refresh_margin_s`` before the reported expiry the token counts as expired, so a request never goes
    out with a token that dies on the way. Safe to share between threads.
    """

    def __init__(
        self,
        fetch: Callable[[], IssuedToken],
        clock: Callable[[], datetime],
        refresh_margin_s: float = 300.0,
    ) -> None:
        if refresh_margin_s < 0:
            raise ValueError(f"refresh_margin_s must not be negative, got {refresh_margin_s}")
        self._fetch = fetch
        self._clock = clock
        self._margin = timedelta(seconds=refresh_margin_s)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._valid_until: datetime | None = None

    def get(self) -> str:
        """The current token, fetched if needed (exceptions of ``fetch`` propagate)."""
        with self._lock:
            now = self._clock()
            if self._token is not None and self._valid_until is not None and now < self._valid_until:
                return self._token
            issued = self._fetch()
            # a token valid for less than the margin is still used, once, for the request at hand
            lifetime = max(timedelta(seconds=issued.expires_in_s) - self._margin, timedelta(0))
            self._token = issued.value
            self._valid_until = now + lifetime
            return issued.value

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (the service said it is invalid or expired); a newer token is kept."""
        with self._lock:
            if self._token == token:
                self._token = None
                self._valid_until = None
