"""The streams worker on the real broker: incidents end to end, and a SIGKILL mid-episode.

The crash test runs the worker with a long commit interval, so that when it is killed no offset has been
committed: its successor re-reads every frame from the start, including the one that opened the incident.
Only the stored state (restored from the changelog) and the redelivery check stand between that replay and
a second ``new`` of other content; a ``new`` repeated byte for byte (the kill fell between its
acknowledgement and the state write) is the one duplicate the design allows.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import TopicPartition as KafkaTopicPartition

from gridwatch.broker import KafkaSettings, make_consumer
from gridwatch.messages import DeadLetter, FrameDetections, GwMessage, Incident, Lifecycle, encode, key_of
from gridwatch.messages.topics import DEAD_LETTERS, DETECTIONS
from tests.fixtures.broker import running_broker
from tests.streams.rules.scenes import bike, message
from tests.streams.sites import parking_site_yaml
from tests.streams.worker import (
    IncidentReader,
    TopicReader,
    outlive_session_of_killed_member,
    start_worker,
    stop_worker,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
T_BASE = 1_772_416_800.0  # 2026-03-02 10:00 +08:00; frames carry capture times from here


@pytest.fixture(scope="module")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaSettings]:
    """This module's own broker. The crash test restarts a faust worker in one consumer group; on the session
    broker, after a whole suite's topics and groups, the restarted worker was once left fetching nothing."""
    with running_broker(tmp_path_factory.mktemp("streams-broker") / "tansu.log") as settings:
        yield settings


@pytest.fixture
def cameras() -> list[str]:
    tag = uuid.uuid4().hex[:6]
    return [f"cam-{tag}-{n}" for n in range(3)]


@pytest.fixture
def site_file(tmp_path: Path, cameras: list[str]) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(parking_site_yaml(cameras, dwell_s=5, clear_s=3, cooldown_s=0), encoding="utf-8")
    return path


@pytest.fixture
def reader(kafka_broker: KafkaSettings, unique_group_id: str, cameras: list[str]) -> Iterator[IncidentReader]:
    incidents = IncidentReader(kafka_broker, unique_group_id + "-reader", set(cameras))
    yield incidents
    incidents.close()


def _send(producer: Any, camera: str, t: int, with_bike: bool) -> None:
    frame = message(t, [bike()] if with_bike else [], seq=t, camera_id=camera, t0=T_BASE)
    producer.send(DETECTIONS, key=key_of(frame), value=encode(frame))


def _of(incidents: list[Incident], camera: str) -> list[Incident]:
    return [i for i in incidents if i.camera_id == camera]


def test_worker_turns_detections_into_one_incident_per_episode(
    kafka_broker: KafkaSettings,
    kafka_producer: Any,
    site_file: Path,
    cameras: list[str],
    reader: IncidentReader,
    unique_group_id: str,
    tmp_path: Path,
) -> None:
    for t in range(16):
        for index, camera in enumerate(cameras):
            _send(kafka_producer, camera, t, with_bike=t < 8 + index)  # bikes leave at 8, 9, 10 s
    kafka_producer.flush()
    worker = start_worker(site_file, kafka_broker, unique_group_id, tmp_path / "worker.log")
    try:
        seen = reader.poll_until(
            lambda got: sum(i.lifecycle is Lifecycle.END for i in got) == len(cameras), 90, worker
        )
    finally:
        stop_worker(worker)
    for index, camera in enumerate(cameras):
        new, end = _of(seen, camera)
        assert (new.lifecycle, end.lifecycle) == (Lifecycle.NEW, Lifecycle.END)
        assert new.incident_id == end.incident_id and (new.revision, end.revision) == (1, 2)
        assert new.started_at == T_BASE + 5 and new.object_count == 1 and new.micro_grid_id
        # last bike at 7 + index (inertia 1: gone on the next sample), then clear for 3 s
        assert end.ended_at == T_BASE + 7 + index + 3


def test_every_record_reaches_the_rules_once_while_states_are_written(
    kafka_broker: KafkaSettings,
    kafka_producer: Any,
    site_file: Path,
    cameras: list[str],
    unique_group_id: str,
    tmp_path: Path,
) -> None:
    """Frames of the site's cameras, whose bikes come and go every second (so each writes its state to the
    changelog), interleaved with records of cameras the site lacks (each becomes a dead letter naming its
    offset). Every stray record must be dead-lettered exactly once: none lost, none repeated. (The agent once
    pointed the stream's current event at an earlier record to route a state write, and faust's batching
    then handed that record on again in place of the next one.)"""
    strays = [f"stray-{uuid.uuid4().hex[:6]}-{n}" for n in range(len(cameras))]
    futures = []
    for t in range(40):
        for camera, stray in zip(cameras, strays, strict=True):
            _send(kafka_producer, camera, t, with_bike=t % 2 == 0)
            frame = message(t, [bike()], seq=t, camera_id=stray, t0=T_BASE)
            futures.append(kafka_producer.send(DETECTIONS, key=key_of(frame), value=encode(frame)))
    kafka_producer.flush()
    offsets = sorted((m.partition, m.offset) for m in (f.get(timeout=30) for f in futures))
    # a partition is read in order: once its last stray record is dead-lettered, all before it were handled
    last_of_each = {max(o for o in offsets if o[0] == p) for p in {p for p, _ in offsets}}

    def stray_letter(message: GwMessage) -> tuple[int, int] | None:
        assert isinstance(message, DeadLetter)
        return (message.partition, message.offset) if message.key in strays else None

    letters = TopicReader(kafka_broker, unique_group_id + "-dlq", DEAD_LETTERS, stray_letter)
    worker = start_worker(site_file, kafka_broker, unique_group_id, tmp_path / "worker.log")
    try:
        letters.poll_until(lambda got: last_of_each <= set(got), 90, worker)
        got = letters.drain(3)  # a repeat sent late arrives by then
    finally:
        stop_worker(worker)
        letters.close()
    assert sorted(got) == offsets


def test_sigkill_mid_episode_neither_loses_nor_repeats_nor_ends_early(
    kafka_broker: KafkaSettings,
    kafka_producer: Any,
    site_file: Path,
    cameras: list[str],
    reader: IncidentReader,
    unique_group_id: str,
    tmp_path: Path,
) -> None:
    camera = cameras[0]
    log = tmp_path / "worker.log"
    first = start_worker(site_file, kafka_broker, unique_group_id, log, commit_interval_s=60)
    try:
        for t in range(8):  # the bike stands from 0 s: new at 5 s
            _send(kafka_producer, camera, t, with_bike=True)
        kafka_producer.flush()
        reader.poll_until(lambda got: any(i.lifecycle is Lifecycle.NEW for i in got), 90, first)
        for t in range(8, 12):  # still there; the worker may or may not reach these before it dies
            _send(kafka_producer, camera, t, with_bike=True)
        kafka_producer.flush()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL
    for t in range(12, 16):  # while no worker runs: the bike stays, then leaves at 16 s
        _send(kafka_producer, camera, t, with_bike=True)
    for t in range(16, 24):
        _send(kafka_producer, camera, t, with_bike=False)
    kafka_producer.flush()
    outlive_session_of_killed_member(kafka_broker)
    second = start_worker(site_file, kafka_broker, unique_group_id, log)
    try:
        reader.poll_until(lambda got: any(i.lifecycle is Lifecycle.END for i in got), 120, second)
        seen = reader.drain(4)  # anything the replay might have repeated arrives by now
    finally:
        stop_worker(second)
    mine = _of(seen, camera)
    # The one duplicate the design allows (streams/README.md): a kill between an incident's acknowledgement
    # and the state write re-sends that incident byte for byte; readers keep the highest revision.
    first_copies: dict[tuple[str, int], Incident] = {}
    for incident in mine:
        copy = first_copies.setdefault((incident.incident_id, incident.revision), incident)
        assert encode(incident) == encode(copy), (copy, incident)
    distinct = list(first_copies.values())
    assert [(i.lifecycle.value, i.revision) for i in distinct] == [("new", 1), ("end", 2)], reader.summary()
    new, end = distinct
    assert new.incident_id == end.incident_id == f"{camera}.z-1.06.{round((T_BASE + 5) * 1000)}"
    # ends when the zone has been clear for clear_s, not at the crash; dwell counted from before the crash
    assert end.ended_at is not None
    assert (end.ended_at - T_BASE, end.dwell_s) == (15 + 3, 15), end


def test_a_restart_resumes_where_the_stored_state_stands_not_at_the_committed_offset(
    kafka_broker: KafkaSettings,
    kafka_producer: Any,
    cameras: list[str],
    reader: IncidentReader,
    unique_group_id: str,
    tmp_path: Path,
) -> None:
    """Frames that only advance a followed bike's timestamps are stored in memory (every clear_s / 2 = 10 s
    here), but their offsets are committed. After a clean stop the restored state is older than the
    committed offset; the successor must read those frames again, or the bike's last sightings are lost
    (it ended 3 s early with 3 s less dwell before states named their record)."""
    camera = cameras[0]
    site = tmp_path / "site.yaml"
    site.write_text(parking_site_yaml(cameras, dwell_s=5, clear_s=20, cooldown_s=0), encoding="utf-8")
    sent = [
        kafka_producer.send(DETECTIONS, key=camera.encode(), value=encode(_frame(camera, t, True)))
        for t in range(9)  # stored at 0 (first), 1 (confirmed), 5 (new); 6-8 only in memory
    ]
    partition = sent[-1].get(timeout=30).partition
    stray = f"stray-{uuid.uuid4().hex[:6]}"  # a record behind frame 8 in its partition, dead-lettered
    marker = kafka_producer.send(
        DETECTIONS, key=camera.encode(), value=encode(_frame(stray, 8, True)), partition=partition
    ).get(timeout=30)

    def strays(message: GwMessage) -> tuple[int, int] | None:
        assert isinstance(message, DeadLetter)
        return (message.partition, message.offset) if stray in message.reason else None

    letters = TopicReader(kafka_broker, unique_group_id + "-dlq", DEAD_LETTERS, strays)
    log = tmp_path / "worker.log"
    first = start_worker(site, kafka_broker, unique_group_id, log, commit_interval_s=0.5)
    try:
        letters.poll_until(lambda got: len(got) == 1, 90, first)  # frames 0-8 are done
        committed = _wait_for_commit(kafka_broker, unique_group_id, partition, marker.offset + 1, first)
    finally:
        stop_worker(first)
    assert committed == marker.offset + 1
    for t in range(9, 32):
        kafka_producer.send(DETECTIONS, key=camera.encode(), value=encode(_frame(camera, t, False)))
    kafka_producer.flush()
    second = start_worker(site, kafka_broker, unique_group_id, log)
    try:
        reader.poll_until(lambda got: any(i.lifecycle is Lifecycle.END for i in got), 120, second)
        seen = reader.drain(3)
        dead = letters.drain(1)
    finally:
        stop_worker(second)
        letters.close()
    assert dead == [(partition, marker.offset)], "the replayed stray record was dead-lettered again"
    mine = _of(seen, camera)
    assert [(i.lifecycle.value, i.revision) for i in mine] == [("new", 1), ("end", 2)], reader.summary()
    end = mine[-1]
    assert end.ended_at is not None
    assert (end.ended_at - T_BASE, end.dwell_s) == (8 + 20, 8), end


def _frame(camera: str, t: int, with_bike: bool) -> FrameDetections:
    return message(t, [bike()] if with_bike else [], seq=t, camera_id=camera, t0=T_BASE)


def _wait_for_commit(
    kafka: KafkaSettings, group_id: str, partition: int, at_least: int, worker: Any
) -> int | None:
    """The group's committed offset of ``partition`` once it reaches ``at_least`` (the worker commits every
    0.5 s); whatever it is after 30 s."""
    consumer = make_consumer(kafka, group_id=group_id, client_suffix="commit-probe")
    tp = KafkaTopicPartition(DETECTIONS, partition)
    consumer.assign([tp])  # polled only to wait on the broker between asks; it never commits
    try:
        deadline = time.monotonic() + 30
        committed: int | None = consumer.committed(tp)
        while (committed or 0) < at_least and time.monotonic() < deadline and worker.poll() is None:
            consumer.poll(timeout_ms=200)
            committed = consumer.committed(tp)
        return committed
    finally:
        consumer.close()
