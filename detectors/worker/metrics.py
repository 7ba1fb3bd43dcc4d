"""Prometheus metrics of one detector worker, in a registry of its own (served by the CLI)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

STAGES = ("decode", "preprocess", "infer", "postprocess", "evidence")
_MS_BUCKETS = (1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 250, 500, 1000, 2500)
_LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)


class DetectMetrics:
    """Frames, batch sizes, per-stage times and queue lag (in seconds of frame age, never offsets).

    Queue lag is measured as wall-clock time at publish minus the frame's capture time: it does not rely on
    end offsets, which the embedded broker reports wrongly.
    """

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        clock: Callable[[], float] | None = None,
        fps_window_s: float = 10.0,
    ) -> None:
        import time

        self.registry = registry or CollectorRegistry()
        self._clock = clock or time.monotonic
        self._window_s = fps_window_s
        self._recent: deque[tuple[float, int]] = deque()
        self.frames = Counter(
            "gw_detect_frames", "Frames taken off gw.frames, by outcome.", ["outcome"], registry=self.registry
        )
        self.fps = Gauge(
            "gw_detect_frames_per_second",
            "Frames detected per second over the last window.",
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "gw_detect_batch_size",
            "Frames per model batch.",
            buckets=(1, 2, 3, 4, 6, 8, 12, 16, 24, 32),
            registry=self.registry,
        )
        self.stage_ms = Histogram(
            "gw_detect_stage_ms",
            "Per-frame time of each stage in milliseconds.",
            ["stage"],
            buckets=_MS_BUCKETS,
            registry=self.registry,
        )
        self.queue_lag = Histogram(
            "gw_detect_queue_lag_seconds",
            "Seconds from a frame's capture to its detections being published.",
            buckets=_LAG_BUCKETS,
            registry=self.registry,
        )
        self.last_lag = Gauge(
            "gw_detect_queue_lag_last_seconds",
            "Queue lag of the last frame published.",
            registry=self.registry,
        )
        self.evidence_failures = Counter(
            "gw_detect_evidence_failures", "Snapshots that could not be stored.", registry=self.registry
        )
        self.cameras = Gauge(
            "gw_detect_cameras_active",
            "Cameras with a frame in the last camera_idle_s.",
            registry=self.registry,
        )
        self.views = Counter(
            "gw_detect_views",
            "Model inputs run: whole frames and zone tiles (views per frame = views / frames).",
            registry=self.registry,
        )
        self.verifier_removed = Counter(
            "gw_detect_verifier_removed",
            "Detections a camera's verifier did not believe, removed before the rules.",
            ["camera"],
            registry=self.registry,
        )
        self.partitions = Gauge(
            "gw_detect_partitions_assigned", "gw.frames partitions this worker owns.", registry=self.registry
        )

    def frames_done(self, outcome: str, count: int = 1) -> None:
        """Count frames by outcome (``detected`` or ``dead_lettered``)."""
        if count <= 0:
            return
        self.frames.labels(outcome).inc(count)
        if outcome == "detected":
            now = self._clock()
            self._recent.append((now, count))
            while now - self._recent[0][0] > self._window_s:
                self._recent.popleft()
            span = now - self._recent[0][0]
            done_after_first = sum(n for _, n in self._recent) - self._recent[0][1]
            self.fps.set(done_after_first / span if span > 0 else 0.0)

    def stage(self, name: str, milliseconds: float) -> None:
        """Observe one frame's time in a stage."""
        self.stage_ms.labels(name).observe(milliseconds)

    def lag(self, seconds: float) -> None:
        """Observe one frame's queue lag."""
        self.queue_lag.observe(max(0.0, seconds))
        self.last_lag.set(seconds)
