"""Static foreground: the model-free signal for goods no offline model knows.

Per camera, two running-average backgrounds of the grey, down-scaled image: a *fast* one that absorbs
whatever stops moving within seconds and a *slow* one that takes many minutes. A pixel that differs from
the slow background but no longer from the fast one belongs to something that appeared and then stood
still; once it has done so for ``min_static_s`` seconds of capture time it is static foreground. A pixel's
standing time survives people passing in front of it (while the pixel differs from the fast background too,
its clock holds) and drains (``drain_rate``) only while the pixel shows the empty street again: on a busy
pavement a board is walked past every few seconds, and a clock that restarted at each passer-by would never
reach ``min_static_s``.
Connected regions of it become boxes of kind ``trading_object`` with ``class_name`` ``static_foreground``
(the flag the rules read), which the detector worker appends to the frame's detections message.

People walking never qualify (the fast background never catches up with them); what stays long enough is
eventually learnt by the slow background too and fades out by itself. A *ghost* (the empty place an object
left that the slow background had learnt, e.g. one standing there when the camera started) looks like static
foreground too; it is told apart by its outline: a real object's outline is an edge in the current frame,
a ghost's only in the slow background. Ghosts are written into both backgrounds at once and never reported.
Time constants are seconds of frame
timestamps, never frame counts, so any sampling rate works.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from gridwatch.config import CameraDetection
from gridwatch.detections import STATIC_FOREGROUND_CLASS, Detections, ObjectKind

__all__ = [
    "MODEL_VERSION",
    "STATIC_FOREGROUND_CLASS",
    "StaticBlob",
    "StaticForeground",
    "StaticForegroundSettings",
    "as_detections",
]


#: Version of the algorithm below: part of replay's detection-cache key, so a change here is never hidden by
#: boxes cached from an earlier one. 2: standing time held through occlusion; ghosts absorbed. 3: the slow
#: background corrected for the frame's overall exposure; a blob's standing time (its pixels' median).
MODEL_VERSION = 3


class StaticForegroundSettings(BaseModel):
    """How quickly the two backgrounds learn and what counts as a static blob."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    work_width: int = Field(
        default=960,
        ge=32,
        le=1920,
        description="Frames are shrunk to this width (pixels) before modelling: the width ingest publishes "
        "1080p cameras at, wide enough that a far A-board (50 x 110 px at 1080p) keeps its outline instead "
        "of blurring into the pavement.",
    )
    fast_tau_s: float = Field(
        default=5.0,
        gt=0,
        description="Time constant of the fast background, seconds: what stops is absorbed.",
    )
    slow_tau_s: float = Field(
        default=900.0, gt=0, description="Time constant of the slow background, seconds: the empty street."
    )
    diff_threshold: float = Field(
        default=25.0,
        gt=0,
        le=255,
        description="Grey-level difference (0-255) that counts as changed (a camera's "
        "detection.static_threshold overrides it); the blurred work image's sensor and compression noise "
        "is 1-2 levels on the team's clips.",
    )
    min_static_s: float = Field(
        default=30.0, ge=0, description="Seconds a region must stand still before it is static foreground."
    )
    warmup_s: float = Field(
        default=60.0,
        ge=0,
        description="Seconds after the first frame during which the slow background is a running mean (so "
        "people on the first frames leave no ghost) and nothing is reported.",
    )
    min_area_fraction: float = Field(
        default=0.0004,
        gt=0,
        le=1,
        description="Smallest blob reported, as a share of the image area (a far parked bike is ~0.001; "
        "the changed part of an A-board 25 px tall at the work width ~0.0006).",
    )
    drain_rate: float = Field(
        default=4.0,
        gt=0,
        description="Seconds of standing time a pixel loses per second it shows the bare street: a thin or "
        "far object whose pixels blend with the street now and then keeps most of its time, one that left "
        "loses it within a fraction of the time it stood.",
    )
    ghost_edge_ratio: float = Field(
        default=1.0,
        gt=0,
        description="A blob whose outline's edge strength in the current frame is below this share of the "
        "slow background's there is a ghost (something left, not something placed) and is absorbed.",
    )

    def for_camera(self, detection: CameraDetection) -> StaticForegroundSettings:
        """These settings with a camera's own overrides (its ``static_threshold``)."""
        if detection.static_threshold is None:
            return self
        return self.model_copy(update={"diff_threshold": detection.static_threshold})

    def signature(self) -> str:
        """The algorithm's version and these settings, as one string (what cached blobs depend on)."""
        return f"v{MODEL_VERSION} " + self.model_dump_json()


@dataclass(frozen=True, slots=True)
class StaticBlob:
    """A region that appeared and stayed: its box in the input frame's pixels."""

    box: tuple[float, float, float, float]
    fill: float  # share of the box that is static foreground, 0..1
    since: float  # capture time (epoch s) minus the median standing time of its pixels
    stood_s: float = 0.0  # that standing time, seconds: how long the object had stood when the frame came


class StaticForeground:
    """The static-foreground model of one camera; feed it every sampled frame in capture order."""

    def __init__(self, settings: StaticForegroundSettings | None = None) -> None:
        self.settings = settings or StaticForegroundSettings()
        self._fast: NDArray[np.float32] | None = None
        self._slow: NDArray[np.float32] | None = None
        self._standing_s: NDArray[np.float32] | None = None  # seconds each pixel has stood
        self._started_at = 0.0
        self._last_at = 0.0
        self._scale = 1.0

    def update(self, frame: NDArray[np.uint8], captured_at: float) -> list[StaticBlob]:
        """Learn from one frame (BGR or grey, any size) and return the static blobs on it."""
        grey = self._prepare(frame)
        if (
            self._fast is None
            or self._slow is None
            or self._standing_s is None
            or captured_at <= self._last_at
        ):
            if self._fast is None:
                self._reset(grey, captured_at)
            return []
        s = self.settings
        dt = captured_at - self._last_at
        elapsed = captured_at - self._started_at
        self._last_at = captured_at
        fast_changed = cv2.absdiff(grey, self._fast) > s.diff_threshold
        # The slow background is minutes old: an exposure change since (clouds, auto-exposure) brightens or
        # darkens the whole frame, which must not read as everything having changed.
        slow_changed = cv2.absdiff(grey, self._slow * _exposure_gain(grey, self._slow)) > s.diff_threshold
        cv2.accumulateWeighted(grey, self._fast, 1.0 - math.exp(-dt / s.fast_tau_s))
        # During the warm-up the slow background is a running mean of everything seen so far.
        slow_tau = s.slow_tau_s if elapsed >= s.warmup_s else min(s.slow_tau_s, elapsed)
        cv2.accumulateWeighted(grey, self._slow, 1.0 - math.exp(-dt / slow_tau))
        standing = (slow_changed & ~fast_changed).astype(np.uint8)
        standing_mask = (
            np.asarray(cv2.morphologyEx(standing, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)), np.uint8) == 1
        )
        # Standing: the clock runs. Something moving in front (fast changed): it holds. Bare street: drains.
        self._standing_s[standing_mask] += dt
        bare = ~slow_changed & ~fast_changed & ~standing_mask
        self._standing_s[bare] = np.maximum(self._standing_s[bare] - s.drain_rate * dt, 0.0)
        if elapsed < s.warmup_s:
            return []
        static = standing_mask & (self._standing_s >= s.min_static_s)
        opened = cv2.morphologyEx(static.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        return self._blobs(np.asarray(opened, np.uint8), grey, captured_at)

    def _prepare(self, frame: NDArray[np.uint8]) -> NDArray[np.float32]:
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        height, width = grey.shape[:2]
        work_width = min(width, self.settings.work_width)  # shrink, never enlarge
        self._scale = width / work_width
        size = (work_width, max(1, round(height / self._scale)))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(small, (5, 5), 0).astype(np.float32)

    def _reset(self, grey: NDArray[np.float32], captured_at: float) -> None:
        self._fast = grey.copy()
        self._slow = grey.copy()
        self._standing_s = np.zeros(grey.shape, np.float32)
        self._started_at = self._last_at = captured_at

    def _blobs(
        self, static: NDArray[np.uint8], grey: NDArray[np.float32], captured_at: float
    ) -> list[StaticBlob]:
        assert self._standing_s is not None and self._slow is not None and self._fast is not None
        count, labels, stats, _centroids = cv2.connectedComponentsWithStats(static, connectivity=8)
        min_area = self.settings.min_area_fraction * static.shape[0] * static.shape[1]
        edges_now = edges_then = None
        blobs: list[StaticBlob] = []
        for label in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[label])
            if area < min_area:
                continue
            if edges_now is None or edges_then is None:
                edges_now, edges_then = _edge_strength(grey), _edge_strength(self._slow)
            mask = labels == label
            standing_s = self._standing_s[mask]
            outline = _outline(mask)
            if edges_now[outline].mean() < self.settings.ghost_edge_ratio * edges_then[outline].mean():
                self._slow[mask] = grey[mask]  # a ghost: the street is back; learn it now
                self._fast[mask] = grey[mask]
                self._standing_s[mask] = 0.0
                continue
            stood = float(np.median(standing_s))  # its edges' blurred pixels catch up first
            k = self._scale
            box = (x * k, y * k, (x + w) * k, (y + h) * k)
            blobs.append(StaticBlob(box, area / (w * h), captured_at - stood, stood))
        return blobs


def _exposure_gain(grey: NDArray[np.float32], slow: NDArray[np.float32]) -> float:
    """How much brighter the frame is overall than the slow background: the ratio of their medians over a
    sparse grid of pixels (objects and passers-by cover too little of a street to move a median)."""
    reference = float(np.median(slow[::4, ::4]))
    if reference < 1.0:
        return 1.0
    return float(np.median(grey[::4, ::4])) / reference


def _edge_strength(grey: NDArray[np.float32]) -> NDArray[np.float32]:
    dx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    dy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return np.asarray(cv2.magnitude(dx, dy), np.float32)


def _outline(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """A band two pixels wide around a blob's border (one inside, one outside)."""
    kernel = np.ones((3, 3), np.uint8)
    as_u8 = mask.astype(np.uint8)
    grown = np.asarray(cv2.dilate(as_u8, kernel), np.uint8)
    shrunk = np.asarray(cv2.erode(as_u8, kernel), np.uint8)
    band: NDArray[np.bool_] = (grown - shrunk) == 1
    return band


def as_detections(blobs: list[StaticBlob], frame_width: int, frame_height: int) -> Detections:
    """The blobs as model-free detections of kind ``trading_object``, scored by how much of its box each
    fills and carrying how long each had stood, to join a frame's model detections."""
    boxes = [
        (
            min(blob.box[0], frame_width - 1.0),
            min(blob.box[1], frame_height - 1.0),
            min(blob.box[2], float(frame_width)),
            min(blob.box[3], float(frame_height)),
        )
        for blob in blobs
    ]
    return Detections.model_free(
        np.array(boxes, np.float32).reshape(-1, 4),
        STATIC_FOREGROUND_CLASS,
        ObjectKind.TRADING_OBJECT,
        score=[min(1.0, blob.fill) for blob in blobs],
        stood_s=[blob.stood_s for blob in blobs],
    )
