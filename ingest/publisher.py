"""Frames and camera statuses to Kafka without ever blocking a camera.

Each camera gets an :class:`Outlet` with its own bounded drop-oldest queue of frames (and a small queue of
status messages); one sender thread drains the outlets round-robin into the Kafka producer. When the broker
is slow the sender slows down, the queues fill, and each camera drops its own oldest frame and counts it:
a slow broker or one chatty camera never stalls the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from gridwatch.messages import CameraStatus, Frame, encode, key_of, topic_of
from ingest.counters import Counters, Outcome
from ingest.mailbox import DropOldest

log = logging.getLogger(__name__)

#: Status messages a camera may have waiting; they are rare, the bound only guards against a dead broker.
STATUS_QUEUE = 16


class SendFuture(Protocol):
    """The part of kafka-python's ``FutureRecordMetadata`` we use."""

    def add_callback(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...

    def add_errback(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...


class Producer(Protocol):
    """The part of kafka-python's ``KafkaProducer`` we use."""

    def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        timestamp_ms: int | None = None,
    ) -> SendFuture: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...


class CameraOutlet(Protocol):
    """Where a camera worker hands its frames and statuses; never blocks."""

    def send_frame(self, frame: Frame) -> None:
        """Queue a frame; may drop this camera's oldest queued frame (and count it)."""
        ...

    def send_status(self, status: CameraStatus) -> None:
        """Queue a status message."""
        ...


@dataclass
class _Item:
    topic: str
    key: bytes
    value: bytes
    timestamp_ms: int
    is_frame: bool


class Outlet:
    """One camera's queues in a :class:`KafkaPublisher`."""

    def __init__(self, publisher: KafkaPublisher, camera_id: str, counters: Counters, capacity: int) -> None:
        self._publisher = publisher
        self.camera_id = camera_id
        self.counters = counters
        self.frames: DropOldest[_Item] = DropOldest(capacity)
        self.statuses: deque[_Item] = deque(maxlen=STATUS_QUEUE)

    def send_frame(self, frame: Frame) -> None:
        """Queue a frame for the broker."""
        item = _Item(topic_of(frame), key_of(frame), encode(frame), int(frame.captured_at * 1000), True)
        self._publisher.enqueue(self, item)

    def send_status(self, status: CameraStatus) -> None:
        """Queue a status message for the broker."""
        item = _Item(topic_of(status), key_of(status), encode(status), int(status.at * 1000), False)
        self._publisher.enqueue(self, item)

    def pop(self) -> _Item | None:
        """Next item to send: statuses first (rare, small), then the oldest frame. Caller holds the lock."""
        if self.statuses:
            return self.statuses.popleft()
        return self.frames.pop()

    def pending(self) -> bool:
        """Whether anything waits. Caller holds the lock."""
        return bool(self.statuses) or len(self.frames) > 0


class KafkaPublisher:
    """Drains every camera's outlet into one producer from one sender thread."""

    def __init__(self, producer: Producer, *, queue_per_camera: int) -> None:
        self._producer = producer
        self._capacity = queue_per_camera
        self._cond = threading.Condition()
        self._ready: OrderedDict[str, Outlet] = OrderedDict()
        self._outlets: dict[str, Outlet] = {}
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._errors = _ErrorLog()
        self.sent = 0

    def outlet(self, camera_id: str, counters: Counters) -> Outlet:
        """The outlet of a camera (one per camera id)."""
        with self._cond:
            if camera_id in self._outlets:
                raise ValueError(f"camera {camera_id} already has an outlet")
            outlet = Outlet(self, camera_id, counters, self._capacity)
            self._outlets[camera_id] = outlet
            return outlet

    def enqueue(self, outlet: Outlet, item: _Item) -> None:
        """Queue ``item`` on ``outlet`` (drop-oldest for frames) and wake the sender."""
        with self._cond:
            if item.is_frame:
                dropped = outlet.frames.put(item)
            else:
                dropped = outlet.statuses[0] if len(outlet.statuses) == STATUS_QUEUE else None
                outlet.statuses.append(item)
            self._ready.setdefault(outlet.camera_id, outlet)
            self._cond.notify()
        if dropped is not None and dropped.is_frame:
            outlet.counters.add(Outcome.DROPPED)

    def start(self) -> None:
        """Start the sender thread."""
        if self._thread is not None:
            raise RuntimeError("publisher already started")
        self._thread = threading.Thread(target=self._run, name="gw-ingest-publisher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._ready and not self._stopping:
                    self._cond.wait()
                if not self._ready:
                    return
                camera_id, outlet = self._ready.popitem(last=False)
                item = outlet.pop()
                if outlet.pending():
                    self._ready[camera_id] = outlet  # to the back: round-robin between cameras
            if item is not None:
                self._send(outlet, item)

    def _send(self, outlet: Outlet, item: _Item) -> None:
        try:
            future = self._producer.send(
                item.topic, value=item.value, key=item.key, timestamp_ms=item.timestamp_ms
            )
        except Exception as error:  # kafka-python raises KafkaTimeoutError when its buffer stays full
            self._failed(outlet, item, error)
            return
        self.sent += 1
        if item.is_frame:
            future.add_callback(lambda _metadata: outlet.counters.add(Outcome.PUBLISHED))
        future.add_errback(lambda error: self._failed(outlet, item, error))

    def _failed(self, outlet: Outlet, item: _Item, error: BaseException) -> None:
        if item.is_frame:
            outlet.counters.add(Outcome.DROPPED)
        self._errors.warn(f"could not publish to {item.topic} for camera {outlet.camera_id}: {error!r}")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Send what is queued (within ``timeout_s``), flush the producer and close it."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        try:
            self._producer.flush(timeout=max(0.1, deadline - time.monotonic()))
        except Exception as error:  # a dead broker must not keep the process from stopping
            log.warning("flush on stop failed: %r", error)
        self._producer.close(timeout=max(0.1, deadline - time.monotonic()))


class _ErrorLog:
    """Logs the first of each kind of publish error, then at most one summary every ``every_s`` seconds."""

    def __init__(self, every_s: float = 30.0) -> None:
        self._every_s = every_s
        self._last = 0.0
        self._suppressed = 0
        self._lock = threading.Lock()

    def warn(self, message: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self._every_s:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        more = f" ({suppressed} similar errors since the last report)" if suppressed else ""
        log.warning("%s%s", message, more)
