"""KafkaSettings: defaults that are valid on Tansu and Apache Kafka, and the environment it reads."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gridwatch.broker.clients import consumer_config, producer_config
from gridwatch.broker.settings import KafkaSettings


def test_defaults_use_the_tansu_safe_group_timeouts() -> None:
    settings = KafkaSettings()
    assert (settings.session_timeout_ms, settings.heartbeat_interval_ms) == (6000, 2000)
    assert settings.bootstrap_list == ["127.0.0.1:9092"]
    assert settings.producer_max_batch_size is None
    assert KafkaSettings(embedded=True).producer_max_batch_size == 1


def test_from_env_reads_bootstrap_client_and_embedded_flag() -> None:
    settings = KafkaSettings.from_env(
        {
            "GW_KAFKA_BOOTSTRAP": "kafka:9092, kafka2:9093",
            "GW_KAFKA_CLIENT_ID": "ingest",
            "GW_KAFKA_EMBEDDED": "yes",
        }
    )
    assert settings.bootstrap_list == ["kafka:9092", "kafka2:9093"]
    assert settings.client_id == "ingest"
    assert settings.embedded is True


def test_from_env_overrides_win() -> None:
    settings = KafkaSettings.from_env({"GW_KAFKA_BOOTSTRAP": "kafka:9092"}, bootstrap_servers="h:1")
    assert settings.bootstrap_servers == "h:1"


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"bootstrap_servers": "kafka"}, "bootstrap server 'kafka' is not host:port"),
        ({"bootstrap_servers": " , "}, "bootstrap_servers is empty"),
        ({"bootstrap_servers": "h:70000"}, "port outside 1..65535"),
        ({"heartbeat_interval_ms": 3000}, "at most a third of session_timeout_ms 6000"),
        ({"session_timeout_ms": 1000}, "greater than or equal to 6000"),
        ({"bootstrap": "h:1"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_name_the_problem(values: dict[str, object], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        KafkaSettings.model_validate(values)


def test_bad_embedded_flag_names_the_variable() -> None:
    with pytest.raises(ValueError, match="GW_KAFKA_EMBEDDED='maybe' is not a boolean"):
        KafkaSettings.from_env({"GW_KAFKA_EMBEDDED": "maybe"})


def test_client_configs_commit_explicitly_and_wait_for_all_replicas() -> None:
    settings = KafkaSettings(bootstrap_servers="h:1", client_id="det")
    consumer = consumer_config(settings, group_id="detectors")
    assert consumer["auto_offset_reset"] == "earliest"
    assert consumer["enable_auto_commit"] is False
    assert consumer["session_timeout_ms"] == 6000
    assert consumer["request_timeout_ms"] > consumer["session_timeout_ms"]
    producer = producer_config(settings)
    assert producer["acks"] == "all"
    assert producer["client_id"] == "det-producer"
