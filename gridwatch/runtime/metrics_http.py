"""The Prometheus /metrics endpoint of a long-running command."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

#: Where /metrics listens unless told otherwise: this host only (compose passes 0.0.0.0 for its scraper).
DEFAULT_METRICS_HOST = "127.0.0.1"

log = logging.getLogger("gridwatch.metrics")


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> bool:
    """Serve ``registry`` at http://host:port/metrics; a port that cannot be bound is logged, not fatal."""
    from prometheus_client import start_http_server

    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        log.warning("metrics endpoint not started on %s:%d: %s", host, port, error)
        return False
    log.info("metrics on http://%s:%d/metrics", host, port)
    return True
