"""The motion gate: hold back samples that barely differ from the last published one, with a keepalive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from gridwatch.messages import FrameReason
from ingest.sources.base import Image

Grey = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class GateDecision:
    """What the gate made of one sample: publish (with a reason) or not, and how much changed."""

    reason: FrameReason | None
    changed_fraction: float
    captured_at: float
    thumbnail: Grey

    @property
    def publish(self) -> bool:
        """Whether the sample should be published."""
        return self.reason is not None


class MotionGate:
    """Compares a small blurred grey copy of each sample with that of the last published frame.

    A pixel has changed when its grey level differs by more than ``pixel_threshold``; a sample is published
    as ``motion`` when at least ``min_changed_fraction`` of the pixels changed, as ``keepalive`` when nothing
    was published for ``keepalive_s`` seconds of capture time (so that parked objects are re-checked), and as
    ``first`` when there is nothing to compare with. With ``enabled`` false every sample counts as motion.
    Call :meth:`commit` once the frame was actually handed on, so a frame that failed to encode does not
    become the reference.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        min_changed_fraction: float,
        keepalive_s: float,
        pixel_threshold: int,
        width: int,
    ) -> None:
        if not 0 < min_changed_fraction <= 1:
            raise ValueError(f"min_changed_fraction must be in (0, 1], got {min_changed_fraction}")
        if keepalive_s <= 0:
            raise ValueError(f"keepalive_s must be positive, got {keepalive_s}")
        if not 1 <= pixel_threshold <= 255:
            raise ValueError(f"pixel_threshold must be 1-255, got {pixel_threshold}")
        if width < 8:
            raise ValueError(f"gate width must be at least 8 pixels, got {width}")
        self.enabled = enabled
        self.min_changed_fraction = min_changed_fraction
        self.keepalive_s = keepalive_s
        self.pixel_threshold = pixel_threshold
        self.width = width
        self._reference: Grey | None = None
        self._published_at: float | None = None

    def thumbnail(self, image: Image) -> Grey:
        """The small blurred grey copy the gate compares."""
        height, width = image.shape[:2]
        out_w = min(self.width, width)
        out_h = max(1, round(height * out_w / width))
        small = cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        return cast(Grey, cv2.GaussianBlur(grey, (5, 5), 0))

    def decide(self, image: Image, captured_at: float) -> GateDecision:
        """Whether to publish ``image`` captured at ``captured_at`` (epoch seconds)."""
        thumb = self.thumbnail(image)
        reference, published_at = self._reference, self._published_at
        if reference is None or published_at is None:
            return GateDecision(FrameReason.FIRST, 1.0, captured_at, thumb)
        if reference.shape != thumb.shape:
            return GateDecision(FrameReason.MOTION, 1.0, captured_at, thumb)
        diff = cv2.absdiff(reference, thumb)
        changed = float(np.count_nonzero(diff > self.pixel_threshold)) / diff.size
        if not self.enabled or changed >= self.min_changed_fraction:
            return GateDecision(FrameReason.MOTION, changed, captured_at, thumb)
        elapsed = captured_at - published_at
        if elapsed >= self.keepalive_s or elapsed < 0:  # also when capture time jumped backwards
            return GateDecision(FrameReason.KEEPALIVE, changed, captured_at, thumb)
        return GateDecision(None, changed, captured_at, thumb)

    def commit(self, decision: GateDecision) -> None:
        """Make the decided sample the new reference (call after it was published)."""
        self._reference = decision.thumbnail
        self._published_at = decision.captured_at
