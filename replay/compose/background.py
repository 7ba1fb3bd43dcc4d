"""A camera's recorded background: its clean plate (temporal median) and its passers-by.

The clip is sampled every ``step_s`` (as replay samples footage, through ingest's sources: container times,
or frame index and rate for AVI), kept in memory at the canvas size, and looped for as long as a scenario
runs. Each kept frame carries a soft mask of what moves in it (people walking, cyclists): the difference to
the plate, thresholded, cleaned morphologically (specks removed, holes closed, small regions dropped),
grown a little and feathered. The composer pastes objects onto the real frame and then puts the frame's
moving foreground back on top, so real passers-by walk in front of the pasted objects.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from replay.errors import ReplayError
from replay.footage import FootageItem
from replay.sampling import expected_samples, sampled_frames

Image = NDArray[np.uint8]
Advance = Callable[[int], None]

#: Frames the plate's median is taken over (spread evenly through the clip).
PLATE_FRAMES = 60
#: Memory the kept frames and masks may take, in bytes.
FRAME_BUDGET_BYTES = 700 * 1024 * 1024
#: A pixel differing from the plate by more than this (0..255, largest channel) is moving.
MOVING_THRESHOLD = 28
#: Smallest moving region kept, as a share of the image area.
MIN_REGION_SHARE = 0.00005


@dataclass(frozen=True, slots=True)
class BackgroundFrame:
    """One kept frame of the clip: its time from the clip's start, the image and its moving-foreground mask
    (0 background .. 255 moving)."""

    t: float
    image: Image
    moving: Image


@dataclass(frozen=True, slots=True)
class Background:
    """A clip ready to be looped under a scenario."""

    path: Path
    frames: tuple[BackgroundFrame, ...]
    plate: Image
    period_s: float  # one loop of the clip: first to last kept frame plus one gap

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the canvas."""
        return int(self.plate.shape[1]), int(self.plate.shape[0])

    def traffic(self) -> NDArray[np.float32]:
        """Per pixel, the share of the kept frames in which something moves there (0..1): lanes, paths."""
        busy = np.zeros(self.plate.shape[:2], np.float32)
        for frame in self.frames:
            busy += frame.moving > 127
        return np.asarray(busy / np.float32(max(1, len(self.frames))), np.float32)

    def at(self, t: float) -> BackgroundFrame:
        """The clip's frame at scenario time ``t`` (the clip looped): the kept frame nearest in time."""
        phase = t % self.period_s
        times = [f.t for f in self.frames]
        index = int(np.searchsorted(times, phase))
        candidates = [i for i in (index - 1, index) if 0 <= i < len(times)]
        best = min(candidates, key=lambda i: abs(times[i] - phase))
        return self.frames[best]


def clean_plate(images: list[Image], rows_per_chunk: int = 64) -> Image:
    """The per-pixel temporal median of ``images`` (computed in bands of rows to bound memory)."""
    if not images:
        raise ReplayError("no frame to make a background plate from")
    stack = np.stack(images)
    plate = np.empty_like(images[0])
    for top in range(0, plate.shape[0], rows_per_chunk):
        band = stack[:, top : top + rows_per_chunk]
        plate[top : top + rows_per_chunk] = np.median(band, axis=0).astype(np.uint8)
    return plate


def moving_mask(image: Image, plate: Image, threshold: int = MOVING_THRESHOLD) -> Image:
    """Soft mask (0..255) of what differs from the plate: people and vehicles passing, not sensor noise."""
    a = cv2.GaussianBlur(image, (5, 5), 0)
    b = cv2.GaussianBlur(plate, (5, 5), 0)
    diff = cv2.absdiff(a, b).max(axis=2)
    hard = np.where(diff > threshold, 255, 0).astype(np.uint8)
    side = max(image.shape[:2])
    small = max(3, (side // 400) | 1)
    large = max(7, (side // 120) | 1)
    opened = cv2.morphologyEx(
        hard, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (small, small))
    )
    closed = cv2.morphologyEx(
        opened, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (large, large))
    )
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    min_area = MIN_REGION_SHARE * image.shape[0] * image.shape[1]
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    kept = np.where(keep[labels], 255, 0).astype(np.uint8)
    grown = cv2.dilate(kept, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (small, small)))
    return np.asarray(cv2.GaussianBlur(grown, (small * 2 + 1, small * 2 + 1), 0), np.uint8)


def load_background(
    path: Path,
    *,
    step_s: float,
    max_side: int = 1920,
    advance: Advance | None = None,
) -> Background:
    """Sample ``path`` every ``step_s`` (more sparsely if the clip would not fit in FRAME_BUDGET_BYTES), make
    its plate and each kept frame's moving mask. ReplayError when the clip cannot be read."""
    item = FootageItem(path=path, camera="background")
    item.check()
    expected = expected_samples(item, step_s)
    if expected is not None and expected < PLATE_FRAMES // 2:  # a short clip: look more often
        step_s *= expected / (PLATE_FRAMES // 2)
        expected = PLATE_FRAMES // 2
    first = next(iter(sampled_frames(item, step_s, max_side)), None)
    if first is None:
        raise ReplayError(f"background {path} has no frame that decodes")
    per_frame = first.image.nbytes + first.image.shape[0] * first.image.shape[1]
    limit = max(2, FRAME_BUDGET_BYTES // per_frame)
    if expected is not None and expected > limit:
        step_s *= math.ceil(expected / limit)
    kept: list[tuple[float, Image]] = []
    for frame in sampled_frames(item, step_s, max_side):
        kept.append((frame.offset_s, np.ascontiguousarray(frame.image)))
        if advance is not None:
            advance(1)
        if len(kept) >= limit:
            break
    sizes = {img.shape for _t, img in kept}
    if len(sizes) != 1:
        raise ReplayError(f"background {path}: frames change size ({sorted(sizes)}); cannot loop it")
    spread = np.linspace(0, len(kept) - 1, min(PLATE_FRAMES, len(kept))).round().astype(int)
    plate = clean_plate([kept[i][1] for i in sorted(set(spread.tolist()))])
    frames = tuple(BackgroundFrame(t, img, moving_mask(img, plate)) for t, img in kept)
    gap = frames[-1].t - frames[-2].t if len(frames) > 1 else step_s
    return Background(path=path, frames=frames, plate=plate, period_s=frames[-1].t + max(gap, 1e-3))
