"""What the agent does with one record, without faust: decode, apply the rules, say what to send and store.

Kept apart from the agent so that it is typed and testable without a broker or an event loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gridwatch.broker.dead_letter import DeadLetterRouter
from gridwatch.messages import FrameDetections, Incident, MalformedMessage, decode_record
from gridwatch.messages.dead_letter import DeadLetter
from gridwatch.messages.topics import DETECTIONS
from streams.positions import ReplayMarks, stored_value
from streams.rules.engine import SiteRules
from streams.rules.state import CameraState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What to do after one record: publish the incidents (in order), then store the state."""

    state: bytes | None = None  # the camera's next table value; None leaves the table as it is
    incidents: list[Incident] = field(default_factory=list)
    dead_letter: DeadLetter | None = None
    durable: bool = True  # False: keep the state in memory only, the changelog gets it later


class DetectionsHandler:
    """Turns one ``gw.detections`` record and its camera's stored state into an :class:`Outcome`.

    The stored value also records the record it was computed from (``streams.positions``), so that a worker
    resumes where its states stand; a record below ``replays``' mark for its partition is read again for
    that, and is not dead-lettered a second time."""

    def __init__(
        self,
        rules: SiteRules,
        consumer_name: str,
        clock: Callable[[], float] = time.time,
        persist_every_s: float = 10.0,
        replays: ReplayMarks | None = None,
    ) -> None:
        self.rules = rules
        self.replays = replays or ReplayMarks()
        self.persist_every_s = persist_every_s
        self._persisted: dict[str, tuple[float, tuple[object, ...]]] = {}
        # Only letter_for is used: the agent sends the letter through faust's producer.
        self._letters = DeadLetterRouter(producer=None, consumer_name=consumer_name, clock=clock)

    def handle(
        self, *, partition: int, offset: int, key: bytes | None, value: bytes | None, state: bytes | None
    ) -> Outcome:
        """Decode, apply, serialise; a record that cannot be used becomes a dead letter."""
        try:
            message = decode_record(DETECTIONS, key, value)
        except MalformedMessage as error:
            return self._reject(partition, offset, key, value, error.reason)
        assert isinstance(message, FrameDetections)
        if self.rules.camera(message.camera_id) is None:
            return self._reject(
                partition, offset, key, value, f"camera {message.camera_id} is not in the site"
            )
        try:
            current = CameraState.from_bytes(state)
        except (ValueError, KeyError, TypeError) as error:
            # A state this code cannot read (another version): start the camera afresh rather than stall.
            log.warning("camera %s: unreadable stored state (%s); starting afresh", message.camera_id, error)
            current = CameraState()
        step = self.rules.apply(current, message)
        if not step.applied:
            return Outcome()
        return Outcome(
            state=stored_value(step.state, partition, offset),
            incidents=step.incidents,
            durable=self._must_persist(message.camera_id, step.state, bool(step.incidents)),
        )

    def _must_persist(self, camera_id: str, state: CameraState, transitions: bool) -> bool:
        """Whether this state must go to the changelog now.

        Always when incidents were sent or what the rules follow changed (a candidate appeared, was
        confirmed, left; an episode opened or closed); otherwise at least every ``persist_every_s`` (and
        every half of the camera's shortest ``clear_s``) of capture time. A restored state is then at
        most that old, and the worker reads the records after it again (``streams.positions``).
        """
        signature = state.signature()
        last = self._persisted.get(camera_id)
        now = state.last_frame_at
        if transitions or last is None or last[1] != signature:
            self._persisted[camera_id] = (now, signature)
            return True
        if state.idle():
            # Nothing followed, no episode: a stored copy that is older only in its frame time replays the
            # same way (frames applied to it find nothing to time out), so time alone never forces a write.
            return False
        rules = self.rules.camera(camera_id)
        every = self.persist_every_s if rules is None else min(self.persist_every_s, rules.min_clear_s / 2)
        if now - last[0] >= every:
            self._persisted[camera_id] = (now, signature)
            return True
        return False

    def _reject(
        self, partition: int, offset: int, key: bytes | None, value: bytes | None, reason: str
    ) -> Outcome:
        if self.replays.is_replay(partition, offset):
            return Outcome()  # read again to catch the states up: its letter was sent the first time
        letter = self._letters.letter_for(
            topic=DETECTIONS, partition=partition, offset=offset, key=key, value=value, reason=reason
        )
        return Outcome(dead_letter=letter)
