"""Kafka plumbing: settings, the embedded broker, topic creation, client factories, dead-lettering."""

from gridwatch.broker.admin import TopicLayoutError, TopicState, ensure_topics, topic_partitions
from gridwatch.broker.clients import make_admin, make_consumer, make_producer
from gridwatch.broker.dead_letter import ConsumeStats, DeadLetterRouter, consume_decoded
from gridwatch.broker.embedded import BrokerError, EmbeddedBroker, find_tansu_binary
from gridwatch.broker.settings import KafkaSettings

__all__ = [
    "BrokerError",
    "ConsumeStats",
    "DeadLetterRouter",
    "EmbeddedBroker",
    "KafkaSettings",
    "TopicLayoutError",
    "TopicState",
    "consume_decoded",
    "ensure_topics",
    "find_tansu_binary",
    "make_admin",
    "make_consumer",
    "make_producer",
    "topic_partitions",
]
