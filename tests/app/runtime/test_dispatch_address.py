"""Where `gridwatch run` tells dispatch to listen, and the URL it prints for it."""

from __future__ import annotations

import socket

import pytest

from app.runtime.dispatch_address import (
    PORT_ENV,
    PUBLIC_BASE_URL_ENV,
    DispatchAddressError,
    resolve_dispatch_address,
)
from gridwatch.runtime.ports import free_port, port_taken


def _never_taken(_host: str, _port: int) -> bool:
    return False


def _always_taken(_host: str, _port: int) -> bool:
    return True


def _free(_host: str) -> int:
    return 49_999


def test_the_default_port_needs_no_extra_environment() -> None:
    address = resolve_dispatch_address({}, None, taken=_never_taken, pick_free=_free)
    assert (address.port, address.base_url, dict(address.env)) == (8600, "http://127.0.0.1:8600", {})
    assert address.docs_url == "http://127.0.0.1:8600/docs"
    assert address.note is None


def test_a_taken_port_moves_to_a_free_one_and_the_url_follows() -> None:
    address = resolve_dispatch_address({}, None, taken=_always_taken, pick_free=_free)
    assert address.port == 49_999
    assert dict(address.env) == {PORT_ENV: "49999", PUBLIC_BASE_URL_ENV: "http://127.0.0.1:49999"}
    assert address.note == "port 8600 is taken; dispatch listens on a free port instead"


def test_port_zero_asks_for_any_free_port() -> None:
    address = resolve_dispatch_address({}, 0, taken=_always_taken, pick_free=_free)
    assert address.port == 49_999 and address.note is None


def test_a_public_url_set_by_the_operator_is_kept() -> None:
    environ = {PUBLIC_BASE_URL_ENV: "https://grid.example.org", PORT_ENV: "8700"}
    address = resolve_dispatch_address(environ, None, taken=_never_taken, pick_free=_free)
    assert (address.port, address.base_url, dict(address.env)) == (8700, "https://grid.example.org", {})


def test_a_port_from_the_environment_gives_the_url_its_port() -> None:
    address = resolve_dispatch_address({PORT_ENV: "8700"}, None, taken=_never_taken, pick_free=_free)
    assert address.base_url == "http://127.0.0.1:8700"
    assert dict(address.env) == {PUBLIC_BASE_URL_ENV: "http://127.0.0.1:8700"}


def test_a_wildcard_host_is_linked_through_loopback() -> None:
    environ = {"GW_DISPATCH_HOST": "0.0.0.0"}
    address = resolve_dispatch_address(environ, 8611, taken=_never_taken, pick_free=_free)
    assert address.base_url == "http://127.0.0.1:8611"


@pytest.mark.parametrize(
    ("environ", "port", "message"),
    [
        ({PORT_ENV: "eighty"}, None, "port"),
        ({"GW_DISPATCH_PUBLIC_BASE_URL": "grid.example.org"}, None, "public_base_url"),
        ({}, 70_000, "outside 0..65535"),
    ],
)
def test_bad_settings_are_refused_clearly(environ: dict[str, str], port: int | None, message: str) -> None:
    with pytest.raises(DispatchAddressError, match=message):
        resolve_dispatch_address(environ, port, taken=_never_taken, pick_free=_free)


def test_port_probes_on_loopback() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_taken("127.0.0.1", port)
        assert port_taken("0.0.0.0", port)
    spare = free_port("127.0.0.1")
    assert 0 < spare < 65536 and not port_taken("127.0.0.1", spare)
