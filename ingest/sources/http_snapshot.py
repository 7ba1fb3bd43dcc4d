"""HTTP snapshot URLs (ISAPI / ONVIF snapshot endpoints): one JPEG pulled on each sampling tick."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx

from gridwatch.config import SnapshotAuth
from gridwatch.messages import SourceKind
from ingest.live_clock import WallClock
from ingest.sources.base import Capture, Image, bad_capture
from ingest.sources.credentials import Credentials
from ingest.sources.errors import SourceAuthError, SourceConfigError, SourceUnavailableError
from ingest.sources.still_image import decode_image

Sleep = Callable[[float], None]

#: Failed fetches in a row after which the camera counts as unavailable (one blip is retried next tick).
FAILURES_BEFORE_UNAVAILABLE = 2


class HttpSnapshotSource:
    """Pulls a snapshot every ``interval_s`` seconds of the monotonic clock, which is also its stream time."""

    def __init__(
        self,
        url: str,
        *,
        interval_s: float,
        auth: SnapshotAuth,
        credentials: Credentials | None,
        credential_names: str,
        timeout_s: float,
        wall: WallClock,
        monotonic: Callable[[], float],
        sleep: Sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        if auth is not SnapshotAuth.NONE and credentials is None:
            raise SourceConfigError(f"{auth.value} auth for {url} needs username_env and password_env")
        self._url = url
        self._interval_s = interval_s
        self._auth = auth
        self._credentials = credentials
        self._credential_names = credential_names
        self._timeout_s = timeout_s
        self._wall = wall
        self._monotonic = monotonic
        self._sleep = sleep
        self._transport = transport
        self._client: httpx.Client | None = None
        self._first: Capture | None = None

    @property
    def kind(self) -> SourceKind:
        """An HTTP snapshot URL."""
        return SourceKind.HTTP_SNAPSHOT

    @property
    def description(self) -> str:
        """The URL (credentials never go into it)."""
        return self._url

    def _httpx_auth(self) -> httpx.Auth | None:
        credentials = self._credentials
        if self._auth is SnapshotAuth.NONE or credentials is None:
            return None
        if self._auth is SnapshotAuth.BASIC:
            return httpx.BasicAuth(credentials.username, credentials.password)
        return httpx.DigestAuth(credentials.username, credentials.password)

    def open(self) -> None:
        """Fetch a first snapshot; raises SourceUnavailableError or SourceAuthError."""
        self.close()
        self._client = httpx.Client(
            auth=self._httpx_auth(),
            timeout=httpx.Timeout(self._timeout_s),
            transport=self._transport,
            follow_redirects=True,
        )
        self._first = self._fetch()

    def _fetch(self) -> Capture:
        client = self._client
        if client is None:
            raise SourceUnavailableError(f"snapshot URL {self._url} is not open")
        stream_ts = self._monotonic()
        try:
            response = client.get(self._url)
        except httpx.TimeoutException:
            raise SourceUnavailableError(
                f"snapshot URL {self._url} did not answer within {self._timeout_s:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise SourceUnavailableError(
                f"cannot fetch snapshot {self._url}: {error or type(error).__name__}"
            ) from None
        captured_at = self._wall()
        status = response.status_code
        if status in (401, 403):
            using = (
                f"{self._auth.value} auth with {self._credential_names}"
                if self._credentials
                else "no credentials"
            )
            raise SourceAuthError(
                f"snapshot URL {self._url} refused the credentials (HTTP {status} "
                f"{response.reason_phrase}; tried {using})"
            )
        if status != 200:
            raise SourceUnavailableError(
                f"snapshot URL {self._url} answered HTTP {status} {response.reason_phrase}"
            )
        body = response.content
        what = f"snapshot from {self._url}"

        def load(_max_side: int) -> Image:
            return decode_image(body, what=what)

        if not body:
            return bad_capture(stream_ts, captured_at, f"{what} is empty (0 bytes)")
        return Capture(stream_ts=stream_ts, captured_at=captured_at, load=load)

    def captures(self) -> Iterator[Capture]:
        """One snapshot per tick; SourceUnavailableError after repeated failures, SourceAuthError at once."""
        first, self._first = self._first, None
        next_tick = self._monotonic()
        if first is not None:
            yield first
            next_tick = first.stream_ts + self._interval_s
        failures = 0
        while True:
            wait = next_tick - self._monotonic()
            if wait > 0:
                self._sleep(wait)
            now = self._monotonic()
            next_tick += self._interval_s
            if next_tick < now:  # fell behind (slow server): skip missed ticks rather than bursting
                next_tick = now + self._interval_s
            try:
                capture = self._fetch()
            except SourceUnavailableError:
                failures += 1
                if failures >= FAILURES_BEFORE_UNAVAILABLE:
                    raise
                continue
            failures = 0
            yield capture

    def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self._first = None
