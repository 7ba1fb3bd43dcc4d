"""Credentials named by environment variables in the site config, resolved when a source opens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from ingest.sources.errors import SourceConfigError


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name and password; ``repr`` never shows the password."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=***)"


def resolve(
    username_env: str | None, password_env: str | None, environ: Mapping[str, str]
) -> Credentials | None:
    """The credentials the two variables hold; None when neither is named; a clear error when one is unset."""
    if username_env is None and password_env is None:
        return None
    missing = [name for name in (username_env, password_env) if name is not None and name not in environ]
    if missing:
        raise SourceConfigError(f"credential environment variable {' and '.join(missing)} is not set")
    username = environ[username_env] if username_env is not None else ""
    password = environ[password_env] if password_env is not None else ""
    return Credentials(username, password)


def with_userinfo(url: str, credentials: Credentials | None) -> str:
    """``url`` with the credentials percent-encoded into it (for FFmpeg); unchanged without credentials."""
    if credentials is None:
        return url
    parts = urlsplit(url)
    userinfo = quote(credentials.username, safe="")
    if credentials.password:
        userinfo += ":" + quote(credentials.password, safe="")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{userinfo}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
