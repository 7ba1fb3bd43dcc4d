"""The embedded broker: starts fast, answers, refuses a taken port, stops without leaving a process."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from gridwatch.broker.admin import TopicLayoutError, ensure_topics, topic_partitions
from gridwatch.broker.embedded import BrokerError, EmbeddedBroker, find_tansu_binary
from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import TOPICS
from gridwatch.messages.dead_letter import DeadLetter
from gridwatch.messages.topics import TopicSpec

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_the_session_broker_has_every_topic_with_its_partitions(kafka_broker: KafkaSettings) -> None:
    found = topic_partitions(kafka_broker)
    assert {spec.name: found.get(spec.name) for spec in TOPICS} == {
        spec.name: spec.partitions for spec in TOPICS
    }


def test_ensure_topics_is_idempotent(kafka_broker: KafkaSettings) -> None:
    states = ensure_topics(kafka_broker)
    assert [(s.name, s.partitions, s.created) for s in states] == [
        (t.name, t.partitions, False) for t in TOPICS
    ]


def test_a_topic_with_another_partition_count_is_an_error(kafka_broker: KafkaSettings) -> None:
    name = f"test.layout-{uuid.uuid4().hex[:8]}"
    ensure_topics(kafka_broker, [TopicSpec(name, DeadLetter, "source_topic", 2, 60_000, "test")])
    with pytest.raises(TopicLayoutError, match=f"topic {name} has 2 partitions but 3 are declared"):
        ensure_topics(kafka_broker, [TopicSpec(name, DeadLetter, "source_topic", 3, 60_000, "test")])


def test_start_and_stop_leave_no_process(tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    settings = broker.start()
    pid = broker.pid
    assert pid is not None and _alive(pid)
    assert settings.embedded and settings.bootstrap_servers == broker.bootstrap
    assert "ready in" in (tmp_path / "tansu.log").read_text()
    broker.stop()
    broker.stop()
    assert not _alive(pid)
    assert not broker.is_running()
    with pytest.raises(BrokerError, match="not running"):
        _ = broker.bootstrap


def test_a_taken_port_is_refused_by_name(tmp_path: Path) -> None:
    with EmbeddedBroker(log_path=tmp_path / "first.log") as first:
        assert first.port is not None
        with pytest.raises(BrokerError, match=f"port {first.port} on 127.0.0.1 is already in use"):
            EmbeddedBroker(port=first.port, log_path=tmp_path / "second.log").start()


def test_a_bad_binary_override_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GW_TANSU_BIN", str(tmp_path / "nope"))
    with pytest.raises(BrokerError, match=r"GW_TANSU_BIN=.*nope' is not an executable file"):
        find_tansu_binary()


def test_the_wheel_binary_is_found() -> None:
    binary = find_tansu_binary()
    assert binary.name == "tansu" and os.access(binary, os.X_OK)
