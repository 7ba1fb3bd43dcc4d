"""Where the dispatch API of `gridwatch run` listens, and the environment that tells its process so."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from gridwatch.runtime.ports import free_port, port_taken

#: Environment variables of dispatch settings that `gridwatch run` may set for its dispatch process.
PORT_ENV = "GW_DISPATCH_PORT"
PUBLIC_BASE_URL_ENV = "GW_DISPATCH_PUBLIC_BASE_URL"


class DispatchAddressError(ValueError):
    """The dispatch settings in the environment are invalid, or the port asked for is impossible."""


@dataclass(frozen=True)
class DispatchAddress:
    """Where the API listens (``host``:``port``), the URL people open, and what the process must be told."""

    host: str
    port: int
    base_url: str
    env: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None

    @property
    def docs_url(self) -> str:
        """The interactive API documentation."""
        return f"{self.base_url}/docs"


def resolve_dispatch_address(
    environ: Mapping[str, str],
    requested_port: int | None,
    *,
    taken: Callable[[str, int], bool] = port_taken,
    pick_free: Callable[[str], int] = free_port,
) -> DispatchAddress:
    """The dispatch address under `gridwatch run`.

    ``requested_port`` None keeps the settings' port (``$GW_DISPATCH_PORT`` or 8600), 0 asks for any free
    port; a port already in use is replaced by a free one. When the port changes, the process gets it in
    ``GW_DISPATCH_PORT``; the public URL (links on phones) follows the port unless
    ``GW_DISPATCH_PUBLIC_BASE_URL`` was set.
    """
    from dispatch.settings import DispatchSettings

    try:
        settings = DispatchSettings.from_env(environ)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        raise DispatchAddressError(
            f"dispatch settings from the environment are invalid: {problems}"
        ) from None
    if requested_port is not None and not 0 <= requested_port < 65536:
        raise DispatchAddressError(f"dispatch port {requested_port} is outside 0..65535")
    port = settings.port if requested_port is None else requested_port
    note = None
    if port != 0 and taken(settings.host, port):
        note = f"port {port} is taken; dispatch listens on a free port instead"
        port = 0
    if port == 0:
        port = pick_free(settings.host)
    env: dict[str, str] = {}
    if port != settings.port:
        env[PORT_ENV] = str(port)
    base_url = settings.public_base_url
    if PUBLIC_BASE_URL_ENV not in environ:
        url_host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
        url_host = f"[{url_host}]" if ":" in url_host else url_host
        derived = f"http://{url_host}:{port}"
        if derived != base_url:
            base_url = env[PUBLIC_BASE_URL_ENV] = derived
    return DispatchAddress(settings.host, port, base_url, env, note)
