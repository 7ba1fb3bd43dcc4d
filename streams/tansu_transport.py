"""A faust transport for the embedded Tansu broker: faust's aiokafka transport with a short fetch wait.

faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500``. Apache Kafka answers a fetch as soon as
data arrives, but Tansu holds it until the wait is over, which adds up to that much latency to every
incident. This transport lowers the wait; it is used only when ``KafkaSettings.embedded`` is set.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import TRANSPORTS
from faust.transport.drivers import aiokafka as faust_aiokafka

SCHEME = "gwtansu"
#: Longest a fetch waits on Tansu, in ms: the latency floor of the consumer against it.
FETCH_MAX_WAIT_MS = 20


class _ShortFetchThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when the consumer starts its fetcher
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> Any:
        return _ShortFetchThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    """faust's aiokafka transport, consumers with a short fetch wait."""

    Consumer = _Consumer


def register() -> str:
    """Make ``gwtansu://host:port`` broker URLs use this transport; returns the scheme."""
    TRANSPORTS.aliases.setdefault(SCHEME, f"{__name__}:Transport")
    return SCHEME
