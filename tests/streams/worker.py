"""Start and stop a real streams worker process, and read back gw.incidents, for the broker tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from gridwatch.broker import KafkaSettings, make_consumer
from gridwatch.messages import GwMessage, Incident, decode
from gridwatch.messages.topics import INCIDENTS

REPO = Path(__file__).resolve().parents[2]
M = TypeVar("M")


def start_worker(
    site: Path, kafka: KafkaSettings, app_id: str, log: Path, *, commit_interval_s: float = 2.0
) -> subprocess.Popen[bytes]:
    """``gridwatch streams`` as a child process, logging to ``log``."""
    env = {
        **os.environ,
        "GW_KAFKA_BOOTSTRAP": kafka.bootstrap_servers,
        "GW_KAFKA_EMBEDDED": "true" if kafka.embedded else "false",
    }
    command = [
        sys.executable,
        "-m",
        "app.cli.streams_cmd",
        "--site",
        str(site),
        "--app-id",
        app_id,
        "--commit-interval",
        str(commit_interval_s),
        "--log-level",
        "INFO",
    ]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def outlive_session_of_killed_member(kafka: KafkaSettings) -> None:
    """Let the group's session timeout pass before a SIGKILLed member's successor joins.

    Not a wait on our own code: the broker expires the dead member on its own clock, and a successor that
    joins earlier can be left without partitions for minutes on Tansu (DESIGN: "Embedded broker"), which has
    no describe_groups to ask when the member is gone. ``gridwatch run`` waits the same way before restarting
    a consumer-group member.
    """
    time.sleep(kafka.session_timeout_ms / 1000 + 2)


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Terminate the worker (SIGTERM, then SIGKILL) if it still runs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class TopicReader(Generic[M]):
    """Reads one topic from the start under its own group and keeps the messages ``keep`` accepts."""

    def __init__(
        self, kafka: KafkaSettings, group_id: str, topic: str, keep: Callable[[GwMessage], M | None]
    ) -> None:
        self.consumer = make_consumer(kafka, group_id=group_id, topics=[topic], client_suffix="test-reader")
        self.topic = topic
        self.keep = keep
        self.seen: list[M] = []

    def poll_until(
        self,
        done: Callable[[list[M]], bool],
        timeout_s: float,
        process: subprocess.Popen[bytes] | None = None,
    ) -> list[M]:
        """Poll until ``done(seen)``; AssertionError after ``timeout_s`` or when ``process`` died."""
        deadline = time.monotonic() + timeout_s
        while not done(self.seen):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout_s}s; so far: {self.summary()}")
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the worker exited with {process.returncode}; so far: {self.summary()}")
            for records in self.consumer.poll(timeout_ms=500).values():
                for record in records:
                    kept = self.keep(decode(self.topic, record.value))
                    if kept is not None:
                        self.seen.append(kept)
        return self.seen

    def drain(self, seconds: float) -> list[M]:
        """Keep reading for ``seconds`` more (to catch anything sent late, e.g. duplicates)."""
        deadline = time.monotonic() + seconds
        return self.poll_until(lambda _seen: time.monotonic() > deadline, seconds + 5)

    def summary(self) -> list[Any]:
        return [repr(message)[:120] for message in self.seen]

    def close(self) -> None:
        self.consumer.close()


class IncidentReader(TopicReader[Incident]):
    """Reads gw.incidents from the start under its own group and keeps the incidents of some cameras."""

    def __init__(self, kafka: KafkaSettings, group_id: str, cameras: set[str]) -> None:
        def of_cameras(message: GwMessage) -> Incident | None:
            assert isinstance(message, Incident)
            return message if message.camera_id in cameras else None

        super().__init__(kafka, group_id, INCIDENTS, of_cameras)

    def summary(self) -> list[tuple[str, str, int]]:
        return [(i.camera_id, i.lifecycle.value, i.revision) for i in self.seen]
