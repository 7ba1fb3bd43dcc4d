"""Many cameras in one process: a thread per camera, one publisher, periodic status and stall checks."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from gridwatch.config import Camera
from gridwatch.messages import CameraState
from ingest.camera_worker import CameraWorker
from ingest.clocks import Clocks
from ingest.counters import CounterListener, Counters, Outcome
from ingest.publisher import CameraOutlet
from ingest.settings import IngestSettings
from ingest.sources.base import FrameSource
from ingest.sources.factory import build_source

log = logging.getLogger(__name__)

#: Seconds between stall checks of the status thread.
STALL_CHECK_S = 1.0


class OutletProvider(Protocol):
    """Gives each camera its outlet (the Kafka publisher, or a collector in tests)."""

    def outlet(self, camera_id: str, counters: Counters) -> CameraOutlet:
        """The outlet of ``camera_id``."""
        ...


SourceBuilder = Callable[[Camera, IngestSettings, Clocks], FrameSource]


@dataclass(frozen=True, slots=True)
class PoolSummary:
    """Totals over the pool's cameras, for progress lines and tests."""

    cameras: int
    states: dict[CameraState, int]
    totals: dict[Outcome, int]

    def line(self) -> str:
        """One human-readable progress line."""
        states = " ".join(f"{state.value}={self.states.get(state, 0)}" for state in CameraState)
        totals = " ".join(f"{outcome.value}={self.totals.get(outcome, 0)}" for outcome in Outcome)
        return f"{self.cameras} cameras: {states} | {totals}"


def _default_builder(camera: Camera, settings: IngestSettings, clocks: Clocks) -> FrameSource:
    return build_source(camera, settings, clocks)


class CameraPool:
    """Runs every enabled camera of a site in its own thread; one slow camera never holds up another."""

    def __init__(
        self,
        cameras: Sequence[Camera],
        settings: IngestSettings,
        outlets: OutletProvider,
        *,
        clocks: Clocks | None = None,
        build: SourceBuilder = _default_builder,
        listener: CounterListener | None = None,
    ) -> None:
        ids = [camera.id for camera in cameras]
        repeated = sorted({camera_id for camera_id in ids if ids.count(camera_id) > 1})
        if repeated:
            raise ValueError(f"camera ids must be unique; repeated: {', '.join(repeated)}")
        self.settings = settings
        self.clocks = clocks or Clocks()
        self.workers: list[CameraWorker] = []
        for camera in cameras:
            if not camera.enabled:
                continue
            counters = Counters(camera.id, listener)
            self.workers.append(
                CameraWorker(
                    camera,
                    settings,
                    outlets.outlet(camera.id, counters),
                    self.clocks,
                    _bind(build, camera, settings, self.clocks),
                    counters,
                )
            )
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start a thread per camera and the status thread."""
        if self._threads:
            raise RuntimeError("pool already started")
        for worker in self.workers:
            thread = threading.Thread(target=worker.run, name=f"gw-cam-{worker.camera.id}", daemon=True)
            thread.start()
            self._threads.append(thread)
        status = threading.Thread(target=self._status_loop, name="gw-ingest-status", daemon=True)
        status.start()
        self._threads.append(status)
        log.info("camera pool started: %d cameras", len(self.workers))

    def _status_loop(self) -> None:
        stop = self.clocks.stop
        next_report = self.clocks.monotonic() + self.settings.status_interval_s
        while not stop.wait(STALL_CHECK_S):
            for worker in self.workers:
                worker.check_stall()
            if self.clocks.monotonic() >= next_report:
                next_report += self.settings.status_interval_s
                for worker in self.workers:
                    worker.report_status()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Ask every camera to stop and wait up to ``timeout_s`` in all (blocked reads end at timeout)."""
        self.clocks.stop.set()
        deadline = self.clocks.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - self.clocks.monotonic()))
        alive = [thread.name for thread in self._threads if thread.is_alive()]
        if alive:
            log.warning("%d camera threads still blocked at stop: %s", len(alive), ", ".join(alive[:10]))

    def summary(self) -> PoolSummary:
        """Camera states and counter totals now."""
        states: Counter[CameraState] = Counter(worker.health.current().status for worker in self.workers)
        totals: Counter[Outcome] = Counter()
        for worker in self.workers:
            for outcome in Outcome:
                totals[outcome] += worker.counters[outcome]
        return PoolSummary(len(self.workers), dict(states), dict(totals))

    @property
    def all_finished(self) -> bool:
        """Whether every camera's worker has ended (only finite sources end on their own)."""
        return all(worker.finished.is_set() for worker in self.workers)


def _bind(
    build: SourceBuilder, camera: Camera, settings: IngestSettings, clocks: Clocks
) -> Callable[[], FrameSource]:
    def make() -> FrameSource:
        return build(camera, settings, clocks)

    return make
