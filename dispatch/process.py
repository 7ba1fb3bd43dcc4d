"""The dispatch process: the incident consumer thread, the core's background loops (timers, pushes, outbox
relay, each on its own thread), the camera-status reader (for the dashboard) and the API server, started
together and stopped together.

Stop: Ctrl-C / SIGTERM (uvicorn's handlers, in the main thread) or :meth:`DispatchProcess.stop`. The consumer
finishes its batch and commits, each loop finishes its round, the server closes its connections. When the
consumer dies (a lost database), the whole process stops with status 1 so that the supervisor restarts it.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from dispatch.camera_status import CONSUMER_NAME as STATUS_CONSUMER_NAME
from dispatch.camera_status import CameraStatusBoard, assign_from_start, consume_camera_status
from dispatch.core import DispatchCore
from dispatch.incident_consumer import consume_incidents
from gridwatch.broker import DeadLetterRouter

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """A uvicorn server that stops on SIGINT/SIGTERM like uvicorn's, but does not re-raise the signal after
    its shutdown, so that the process exits with its own status (0 for a requested stop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


STATUS_RETRY_S = 5.0
"""Seconds before the camera-status reader starts again after a failure (it is not worth a restart)."""


@dataclass
class DispatchProcess:
    """The parts of a running dispatcher. The camera-status reader runs when ``make_status_consumer`` and
    ``camera_board`` are given; its failures are logged and retried, never fatal."""

    core: DispatchCore
    app: FastAPI
    make_consumer: Callable[[], Any]
    router: DeadLetterRouter
    host: str
    port: int
    make_status_consumer: Callable[[], Any] | None = None
    camera_board: CameraStatusBoard | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._failed = threading.Event()
        self._server = _Server(
            uvicorn.Config(
                self.app,
                host=self.host,
                port=self.port,
                log_level="info",
                lifespan="off",
                timeout_graceful_shutdown=5,
            )
        )

    @property
    def server(self) -> uvicorn.Server:
        return self._server

    def stop(self) -> None:
        """Ask every part to stop (safe from any thread)."""
        self._stop.set()
        self._server.should_exit = True

    def _consume(self) -> None:
        consumer = None
        try:
            consumer = self.make_consumer()
            consume_incidents(consumer, self.core.bus, self.router, self._stop)
        except Exception:
            log.exception("the incident consumer stopped")
            self._failed.set()
            self.stop()
        finally:
            if consumer is not None:
                consumer.close()

    def _read_camera_status(self) -> None:
        assert self.make_status_consumer is not None and self.camera_board is not None
        status_router = DeadLetterRouter(self.router.producer, STATUS_CONSUMER_NAME)
        while not self._stop.is_set():
            consumer = None
            try:
                consumer = self.make_status_consumer()
                assign_from_start(consumer)
                consume_camera_status(consumer, self.camera_board, status_router, self._stop)
            except Exception:
                log.exception("the camera-status reader failed; retrying in %.0f s", STATUS_RETRY_S)
                self._stop.wait(STATUS_RETRY_S)
            finally:
                if consumer is not None:
                    consumer.close()

    def run(self) -> int:
        """Run until stopped; 0 after a requested stop, 1 when a part failed."""
        threads = [threading.Thread(target=self._consume, name="dispatch-incidents", daemon=True)]
        if self.make_status_consumer is not None and self.camera_board is not None:
            threads.append(
                threading.Thread(target=self._read_camera_status, name="dispatch-camera-status", daemon=True)
            )
        self.core.start()
        for thread in threads:
            thread.start()
        try:
            self._server.run()
        finally:
            self.stop()
            for thread in threads:
                thread.join(timeout=30)
            self.core.stop()
        return 1 if self._failed.is_set() else 0
