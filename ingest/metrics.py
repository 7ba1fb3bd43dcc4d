"""Prometheus counters for the camera pool: frames per camera and outcome."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from ingest.counters import CounterListener, Outcome


def prometheus_listener(registry: CollectorRegistry) -> CounterListener:
    """A counter listener that feeds ``gridwatch_ingest_frames_total{camera, outcome}`` in ``registry``."""
    frames = Counter(
        "gridwatch_ingest_frames",
        "Frames per camera by outcome: sampled, published, skipped_by_gate, dropped, bad_frames.",
        ["camera", "outcome"],
        registry=registry,
    )

    def listen(camera_id: str, outcome: Outcome, amount: int) -> None:
        frames.labels(camera=camera_id, outcome=outcome.value).inc(amount)

    return listen
