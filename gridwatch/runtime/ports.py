"""Loopback port checks: is something listening there, and which port is free now."""

from __future__ import annotations

import socket


def port_taken(host: str, port: int) -> bool:
    """Whether something already accepts connections on ``host``:``port`` (a wildcard host: loopback)."""
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((target, port)) == 0


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS reports free on ``host`` now."""
    bind_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    family = socket.AF_INET6 if ":" in bind_host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((bind_host, 0))
        port: int = sock.getsockname()[1]
        return port
