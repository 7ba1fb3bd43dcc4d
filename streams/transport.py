"""faust's aiokafka transport with two repairs: no record lost on a partition the group never committed, and
(on the embedded Tansu broker only) a short fetch wait.

**Rewind where nothing was committed.** faust drops records it fetched while its flow was stopped (during a
rebalance or a table recovery) and relies on seeking back to the committed offsets afterwards. aiokafka's
``seek_to_committed`` seeks only where the committed offset is above 0, so on a partition the group has never
committed (a first start, or a worker killed before its first commit) the fetch position stays after the
dropped records and they are never processed. :func:`seek_to_committed_or_start` seeks those partitions back
to the last record faust handed on, or to their beginning where it handed on none (what the group's
``auto_offset_reset=earliest`` means); frames read again there are redeliveries the rules skip.

**Short fetch wait on Tansu.** faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500``. Apache
Kafka answers a fetch as soon as data arrives, but Tansu holds it until the wait is over, which adds up to
that much latency to every incident.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import TRANSPORTS
from faust.transport.drivers import aiokafka as faust_aiokafka

KAFKA_SCHEME = "gwkafka"
TANSU_SCHEME = "gwtansu"
#: Longest a fetch waits on Tansu, in ms: the latency floor of the consumer against it.
FETCH_MAX_WAIT_MS = 20


async def seek_to_committed_or_start(
    consumer: AIOKafkaConsumer,
    skip_topics: Collection[str] = (),
    delivered: Mapping[Any, int | None] | None = None,
) -> dict[TopicPartition, int | None]:
    """Seek every assigned partition to its committed offset; one the group never committed (None, or 0) to
    the last offset already handed to the application (``delivered``: faust's read offsets), or to its
    beginning where nothing was handed over yet; partitions of ``skip_topics`` (a table's changelog, which
    faust positions itself) are left alone. Returns the committed offsets, as aiokafka's
    ``seek_to_committed`` does.

    Every seek here is aiokafka's synchronous ``seek`` and never goes forward past a record not yet
    handed over: faust calls this while its flow may be running, and ``seek_to_beginning`` (an offset reset
    that completes later, in the fetcher) raced the fetches in flight there and lost records."""
    committed: dict[TopicPartition, int | None] = await consumer.seek_to_committed()
    handed = delivered or {}
    fresh = [tp for tp, offset in committed.items() if not offset and tp.topic not in skip_topics]
    unread = [tp for tp in fresh if handed.get(tp) is None]
    starts: dict[TopicPartition, int] = await consumer.beginning_offsets(unread) if unread else {}
    for tp in fresh:
        last = handed.get(tp)
        consumer.seek(tp, starts[tp] if last is None else last)
    return committed


class _RewindingThread(faust_aiokafka.AIOKafkaConsumerThread):
    async def seek_to_committed(self) -> Any:
        consumer = self._ensure_consumer()
        changelogs = self.consumer.app.tables.changelog_topics
        delivered = dict(self.consumer._read_offset)  # faust's: the last offset handed on, per partition
        return await self.call_thread(seek_to_committed_or_start, consumer, changelogs, delivered)


class _ShortFetchThread(_RewindingThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when the consumer starts its fetcher
        return consumer


def _consumer_with(thread: type[faust_aiokafka.AIOKafkaConsumerThread]) -> type[faust_aiokafka.Consumer]:
    class _Consumer(faust_aiokafka.Consumer):
        def _new_consumer_thread(self) -> Any:
            return thread(self, loop=self.loop, beacon=self.beacon)

    return _Consumer


class KafkaTransport(faust_aiokafka.Transport):
    """faust's aiokafka transport whose consumer rewinds partitions the group never committed."""

    Consumer = _consumer_with(_RewindingThread)


class TansuTransport(faust_aiokafka.Transport):
    """:class:`KafkaTransport` with a short fetch wait, for the embedded Tansu broker."""

    Consumer = _consumer_with(_ShortFetchThread)


def register(embedded: bool) -> str:
    """Make ``gwkafka://`` and ``gwtansu://`` broker URLs use these transports; returns the scheme for a
    broker that is (``embedded``) or is not Tansu."""
    aliases: MutableMapping[str, str] = TRANSPORTS.aliases
    aliases.setdefault(KAFKA_SCHEME, f"{__name__}:KafkaTransport")
    aliases.setdefault(TANSU_SCHEME, f"{__name__}:TansuTransport")
    return TANSU_SCHEME if embedded else KAFKA_SCHEME
