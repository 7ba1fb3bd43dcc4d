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

import logging
from collections.abc import Collection, Mapping, MutableMapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import TRANSPORTS
from faust.transport.drivers import aiokafka as faust_aiokafka

from streams.positions import RESUME_ATTRIBUTE, ResumePoints

KAFKA_SCHEME = "gwkafka"
TANSU_SCHEME = "gwtansu"
#: Longest a fetch waits on Tansu, in ms: the latency floor of the consumer against it.
FETCH_MAX_WAIT_MS = 20

log = logging.getLogger(__name__)


async def seek_to_committed_or_start(
    consumer: AIOKafkaConsumer,
    skip_topics: Collection[str] = (),
    delivered: Mapping[Any, int | None] | None = None,
    stored: Mapping[TopicPartition, int] | None = None,
    finished_below: MutableMapping[TopicPartition, int] | None = None,
) -> dict[TopicPartition, int | None]:
    """Seek every assigned partition to its committed offset; one the group never committed (None, or 0) to
    the last offset already handed to the application (``delivered``: faust's read offsets), or to its
    beginning where nothing was handed over yet; partitions of ``skip_topics`` (a table's changelog, which
    faust positions itself) are left alone.

    Where the application's restored state stands before that point (``stored``: the offset after the
    oldest state that follows something, see ``streams.positions``) the partition goes back there instead,
    and ``finished_below`` receives the point it would have resumed at: every record below it was finished
    before, and is read again only to catch the states up.

    Returns the committed offsets, as aiokafka's ``seek_to_committed`` does, except for a partition sent
    back for its states, which has the offset it was sent back to: faust drops records below the offset
    returned here.

    Every seek here is aiokafka's synchronous ``seek`` and never goes forward past a record not yet
    handed over: faust calls this while its flow may be running, and ``seek_to_beginning`` (an offset reset
    that completes later, in the fetcher) raced the fetches in flight there and lost records."""
    committed: dict[TopicPartition, int | None] = await consumer.seek_to_committed()
    handed = delivered or {}
    states = stored or {}
    mine = [tp for tp in committed if tp.topic not in skip_topics]
    unread = [tp for tp in mine if not committed[tp] and handed.get(tp) is None]
    starts: dict[TopicPartition, int] = await consumer.beginning_offsets(unread) if unread else {}
    resumed = dict(committed)
    for tp in mine:
        done = committed[tp]
        if not done:
            last = handed.get(tp)
            done = starts[tp] if last is None else last
        if finished_below is not None:
            finished_below[tp] = done
        back = states.get(tp)
        if back is not None and back < done:
            consumer.seek(tp, back)
            resumed[tp] = back
        elif not committed[tp]:
            consumer.seek(tp, done)
    return resumed


class _RewindingThread(faust_aiokafka.AIOKafkaConsumerThread):
    async def seek_to_committed(self) -> Any:
        consumer = self._ensure_consumer()
        changelogs = self.consumer.app.tables.changelog_topics
        delivered = dict(self.consumer._read_offset)  # faust's: the last offset handed on, per partition
        resume: ResumePoints | None = getattr(self.consumer.app, RESUME_ATTRIBUTE, None)
        stored = {} if resume is None else resume.stored()
        below: dict[TopicPartition, int] = {}
        committed = await self.call_thread(
            seek_to_committed_or_start, consumer, changelogs, delivered, stored, below
        )
        if resume is not None:
            resume.finished(below)
        back = {tp.partition: (committed[tp], below[tp]) for tp in below if committed[tp] != below[tp]}
        if back:
            log.info("resuming for the stored states (partition: (offset, replays below)): %s", back)
        return committed


class _ShortFetchThread(_RewindingThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when the consumer starts its fetcher
        return consumer


def _consumer_with(thread: type[faust_aiokafka.AIOKafkaConsumerThread]) -> type[faust_aiokafka.Consumer]:
    class _Consumer(faust_aiokafka.Consumer):
        """faust's consumer, which hands on no record of a stream partition between an assignment and the
        seek that follows it.

        faust makes the stream partitions active again at the end of a recovery and only then seeks them
        (``resume_partitions``, then ``perform_seek``); records fetched from the old position in between
        went to the agent before the seek moved the partition (back to where the restored states stand,
        see ``streams.positions``), and those the seek skipped were lost to the rules."""

        _seek_owed = False
        _held: set[Any]

        def _new_consumer_thread(self) -> Any:
            return thread(self, loop=self.loop, beacon=self.beacon)

        def _stream_partitions(self, tps: Any) -> set[Any]:
            changelogs = self.app.tables.changelog_topics
            return {tp for tp in tps if tp.topic not in changelogs}

        async def on_partitions_assigned(self, assigned: Any, generation_id: int = 0) -> None:
            self._seek_owed = True
            self._held = self._stream_partitions(assigned)
            await super().on_partitions_assigned(assigned, generation_id)

        def _set_active_tps(self, tps: Any) -> Any:
            active = super()._set_active_tps(tps)
            if self._seek_owed:
                active.difference_update(self._held)
            return active

        def resume_partitions(self, tps: Any) -> None:
            if self._seek_owed:
                tps = set(tps)
                held = self._stream_partitions(tps)
                self._held |= held
                tps -= held
            super().resume_partitions(tps)

        async def perform_seek(self) -> None:
            await super().perform_seek()
            if self._seek_owed:
                self._seek_owed = False
                held, self._held = self._held, set()
                super().resume_partitions(held & set(self.assignment()))

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
