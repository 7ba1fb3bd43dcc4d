"""One camera's loop: connect with backoff, sample in stream time, gate, encode, publish, report health."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from pydantic import ValidationError

from gridwatch.config import Camera
from gridwatch.messages import CameraStatus, Frame
from ingest.backoff import Backoff
from ingest.clocks import Clocks
from ingest.counters import Counters, Outcome
from ingest.frame_encoder import check_image, encode_jpeg, fit_longest_side
from ingest.health import BadFrameWindow, CameraHealth
from ingest.motion_gate import MotionGate
from ingest.publisher import CameraOutlet
from ingest.sampler import Sampler
from ingest.settings import IngestSettings, LongGopPolicy
from ingest.sources.base import Capture, FrameSource, GopAware
from ingest.sources.errors import BadFrameError, SourceError, SourceExhaustedError

log = logging.getLogger(__name__)

SourceFactory = Callable[[], FrameSource]

#: Names of the conditions that make a connected camera degraded.
CONDITION_GOP = "gop"
CONDITION_BAD_FRAMES = "bad_frames"
CONDITION_STALLED = "stalled"


class CameraWorker:
    """Runs one camera until stopped (or until a finite source is exhausted or cannot work as configured).

    Every failure of the source marks the camera offline with the reason and schedules a reconnect after an
    exponential backoff with jitter; a good frame resets the backoff and marks it online. A bad frame is
    counted and skipped. Status messages go out on every change of state or reason.
    """

    def __init__(
        self,
        camera: Camera,
        settings: IngestSettings,
        outlet: CameraOutlet,
        clocks: Clocks,
        source_factory: SourceFactory,
        counters: Counters | None = None,
    ) -> None:
        self.camera = camera
        self.settings = settings
        self.outlet = outlet
        self.clocks = clocks
        self.counters = counters or Counters(camera.id)
        self.health = CameraHealth()
        self._source_factory = source_factory
        self._backoff = Backoff(settings.backoff, clocks.rng)
        self._sampler = Sampler(camera.sample_interval_s)
        gate = camera.motion_gate
        self._gate = MotionGate(
            enabled=gate.enabled,
            min_changed_fraction=gate.min_changed_fraction,
            keepalive_s=gate.keepalive_s,
            pixel_threshold=settings.motion_pixel_threshold,
            width=settings.motion_gate_width,
        )
        self._bad_window = BadFrameWindow(settings.bad_frame_window)
        self._seq = 0
        self._last_frame_at: float | None = None  # monotonic time of the last capture of any kind
        #: Stream time of the last capture (stream seconds of the current session).
        self.last_stream_ts: float | None = None
        self._status_lock = threading.Lock()
        self.finished = threading.Event()

    # -- the loop ---------------------------------------------------------------------------------------

    def run(self) -> None:
        """Read the camera until ``clocks.stop`` is set; never raises."""
        try:
            self._run()
        finally:
            self.finished.set()

    def _run(self) -> None:
        stop = self.clocks.stop
        try:
            source = self._source_factory()
        except SourceError as error:
            self._offline(error.reason)
            log.error("camera %s cannot start: %s", self.camera.id, error.reason)
            return
        while not stop.is_set():
            try:
                source.open()
                log.info("camera %s connected to %s", self.camera.id, source.description)
                self._consume(source)
            except SourceExhaustedError as error:  # a file or a folder read once, to its end: finished
                self.health.finished(error.reason)
                self._report_change()
                log.info("camera %s finished: %s", self.camera.id, error.reason)
                return
            except SourceError as error:
                self._offline(error.reason)
                if not error.retryable:
                    log.warning("camera %s stopped: %s", self.camera.id, error.reason)
                    return
                self._wait_before_retry(error.reason)
            except Exception as error:  # a bug or an unforeseen library error must not end the camera
                log.exception("camera %s: unexpected error", self.camera.id)
                self._offline(f"internal error: {type(error).__name__}: {error}")
                self._wait_before_retry("internal error")
            finally:
                source.close()

    def _wait_before_retry(self, reason: str) -> None:
        delay = self._backoff.next_delay()
        log.info(
            "camera %s offline (%s); retry %d in %.1f s",
            self.camera.id,
            reason,
            self._backoff.failures,
            delay,
        )
        self.clocks.sleep(delay)

    def _consume(self, source: FrameSource) -> None:
        self._sampler.reset()
        self._bad_window.clear()
        stop = self.clocks.stop
        for capture in source.captures():
            if stop.is_set():
                return
            self._last_frame_at = self.clocks.monotonic()
            self.last_stream_ts = capture.stream_ts
            self.health.set_condition(CONDITION_STALLED, None)
            if capture.error is not None:
                self._bad(capture.error)
                continue
            if not self._sampler.due(capture.stream_ts):
                continue
            self.counters.add(Outcome.SAMPLED)
            try:
                self._process(capture, source)
            except BadFrameError as error:
                self._bad(error.reason)
                continue
            self._bad_window.record(False)
            self._backoff.reset()
            self.health.online()
            self._check_gop(source)
            self._check_bad_frames()
            self._report_change()

    def _process(self, capture: Capture, source: FrameSource) -> None:
        settings = self.settings
        image = check_image(
            capture.image(settings.max_side),
            expected_size=self.camera.resolution,
            aspect_tolerance=settings.aspect_tolerance,
        )
        image = fit_longest_side(image, settings.max_side)
        decision = self._gate.decide(image, capture.captured_at)
        if decision.reason is None:
            self.counters.add(Outcome.SKIPPED_BY_GATE)
            return
        jpeg = encode_jpeg(image, settings.jpeg_quality)
        height, width = image.shape[:2]
        try:
            frame = Frame(
                camera_id=self.camera.id,
                seq=self._seq,
                captured_at=capture.captured_at,
                source_kind=source.kind,
                width=width,
                height=height,
                reason=decision.reason,
                jpeg=jpeg,
            )
        except ValidationError as error:
            raise BadFrameError(f"frame does not make a valid message: {error.errors()[0]['msg']}") from None
        self.outlet.send_frame(frame)
        self._gate.commit(decision)
        self._seq += 1

    def _bad(self, reason: str) -> None:
        self.counters.add(Outcome.BAD_FRAMES)
        self._bad_window.record(True, reason)
        log.debug("camera %s: bad frame: %s", self.camera.id, reason)
        if self.health.connected:
            self._check_bad_frames()
            self._report_change()

    # -- health -----------------------------------------------------------------------------------------

    def _check_gop(self, source: FrameSource) -> None:
        if not isinstance(source, GopAware) or not source.keyframes_only:
            self.health.set_condition(CONDITION_GOP, None)
            return
        gop = source.keyframe_interval_s
        interval = self.camera.sample_interval_s
        if gop is None or gop <= interval * self.settings.gop_tolerance:
            self.health.set_condition(CONDITION_GOP, None)
            return
        if self.settings.long_gop_policy is LongGopPolicy.FULL_DECODE:
            log.info(
                "camera %s: key frames every %.1f s but sampling every %.1f s; switching to full decoding",
                self.camera.id,
                gop,
                interval,
            )
            source.decode_all_frames()
            self.health.set_condition(CONDITION_GOP, None)
            return
        self.health.set_condition(
            CONDITION_GOP,
            f"GOP {gop:.1f} s is longer than the {interval:.1f} s sampling interval: key-frame-only decoding "
            f"samples every {gop:.1f} s ({1 / gop:.2f} fps, configured {self.camera.sample_fps:g} fps)",
        )

    def _check_bad_frames(self) -> None:
        bad, total = self._bad_window.counts
        if total and bad / total >= self.settings.bad_frame_degraded_share:
            reason = f"{bad} of the last {total} frames were bad (latest: {self._bad_window.last_reason})"
            self.health.set_condition(CONDITION_BAD_FRAMES, reason)
        else:
            self.health.set_condition(CONDITION_BAD_FRAMES, None)

    def check_stall(self) -> None:
        """Mark a connected camera that produced nothing for too long as degraded (called periodically)."""
        if not self.health.connected or self._last_frame_at is None:
            return
        limit = max(self.settings.stall_after_s, 3 * self.camera.sample_interval_s)
        silent = self.clocks.monotonic() - self._last_frame_at
        if silent > limit:
            self.health.set_condition(CONDITION_STALLED, f"no frame for more than {limit:.0f} s")
            self._report_change()

    def _offline(self, reason: str) -> None:
        self.health.offline(reason)
        self._report_change()

    def _report_change(self) -> None:
        with self._status_lock:
            if self.health.take_change() is not None:
                self.outlet.send_status(self.status())

    def report_status(self) -> None:
        """Send the current status (periodic heartbeat with counters)."""
        with self._status_lock:
            self.health.take_change()
            self.outlet.send_status(self.status())

    def status(self) -> CameraStatus:
        """The camera's status message as of now."""
        state = self.health.current()
        return CameraStatus(
            camera_id=self.camera.id,
            status=state.status,
            reason=state.reason[:2000],
            at=self.clocks.wall(),
            counters=self.counters.snapshot(),
        )

    @property
    def published_seq(self) -> int:
        """How many frames were handed to the outlet."""
        return self._seq
