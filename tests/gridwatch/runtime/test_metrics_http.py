"""/metrics is served on the address asked for (loopback by default); a taken port is reported, not fatal."""

from __future__ import annotations

import socket

import httpx
from prometheus_client import CollectorRegistry, Counter

from gridwatch.runtime.metrics_http import DEFAULT_METRICS_HOST, serve_metrics
from gridwatch.runtime.ports import free_port


def test_metrics_are_served_on_loopback_by_default() -> None:
    assert DEFAULT_METRICS_HOST == "127.0.0.1"
    registry = CollectorRegistry()
    Counter("gw_test_frames", "frames seen", registry=registry).inc(3)
    port = free_port()
    assert serve_metrics(registry, DEFAULT_METRICS_HOST, port)
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "gw_test_frames_total 3.0" in body


def test_a_taken_port_is_reported_and_not_fatal() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert not serve_metrics(CollectorRegistry(), "127.0.0.1", port)
