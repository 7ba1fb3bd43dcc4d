"""One camera's tracker: links detections across samples seconds apart.

At 0.2-2 fps, parked e-bikes and goods barely move between samples (their boxes overlap: matched by IoU),
while people and riders jump several box widths (no overlap: matched by centre distance within a reach that
grows with the time between samples, from a constant-velocity prediction). Matching is greedy on a cost
that prefers overlap to distance; time is the frames' capture time, never a frame count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors.boxes import box_iou
from detectors.detections import Detections
from detectors.tracking.settings import TrackerSettings

_NO_MATCH = np.inf


@dataclass(slots=True)
class _Track:
    track_id: int
    class_id: int
    box: NDArray[np.float32]
    velocity: NDArray[np.float32]  # centre movement in pixels per second
    last_seen: float

    def predicted_centre(self, at: float) -> NDArray[np.float32]:
        centre = (self.box[:2] + self.box[2:]) / 2
        return np.asarray(centre + self.velocity * max(0.0, at - self.last_seen), np.float32)


class CameraTracker:
    """Tracks of one camera; feed it that camera's frames in capture order."""

    def __init__(self, settings: TrackerSettings, first_id: int = 1) -> None:
        self._settings = settings
        self._tracks: list[_Track] = []
        self._next_id = first_id
        self._last_time: float | None = None

    @property
    def track_count(self) -> int:
        """Live tracks."""
        return len(self._tracks)

    @property
    def last_time(self) -> float | None:
        """Capture time of the last frame seen."""
        return self._last_time

    def update(self, detections: Detections, captured_at: float) -> Detections:
        """``detections`` of the frame captured at ``captured_at`` with track ids."""
        if self._last_time is not None and captured_at < self._last_time:
            self._tracks.clear()  # time went backwards (a replay, a camera clock reset): start afresh
        self._last_time = captured_at
        settings = self._settings
        self._tracks = [t for t in self._tracks if captured_at - t.last_seen <= settings.max_age_s]
        count = len(detections)
        ids = np.full(count, -1, np.int64)
        if count == 0:
            return detections.with_track_ids(ids)
        cost = self._cost(detections, captured_at)
        for row, col in _greedy(cost):
            track = self._tracks[row]
            box = detections.xyxy[col]
            dt = captured_at - track.last_seen
            if dt > 0:
                moved = ((box[:2] + box[2:]) - (track.box[:2] + track.box[2:])) / 2 / dt
                track.velocity = np.asarray(0.5 * track.velocity + 0.5 * moved, np.float32)
            track.box = box.copy()
            track.last_seen = captured_at
            ids[col] = track.track_id
        for col in np.flatnonzero(ids < 0).tolist():
            ids[col] = self._next_id
            self._tracks.append(
                _Track(
                    track_id=self._next_id,
                    class_id=int(detections.class_id[col]),
                    box=detections.xyxy[col].copy(),
                    velocity=np.zeros(2, np.float32),
                    last_seen=captured_at,
                )
            )
            self._next_id += 1
        return detections.with_track_ids(ids)

    def _cost(self, detections: Detections, at: float) -> NDArray[np.float64]:
        """(tracks, detections) cost: 1 - IoU for overlaps, 1 + distance/reach for jumps, inf if too far."""
        tracks = self._tracks
        if not tracks:
            return np.zeros((0, len(detections)), np.float64)
        settings = self._settings
        boxes = np.stack([t.box for t in tracks])
        iou = box_iou(boxes, detections.xyxy).astype(np.float64)
        predicted = np.stack([t.predicted_centre(at) for t in tracks])
        centres = (detections.xyxy[:, :2] + detections.xyxy[:, 2:]) / 2
        distance = np.linalg.norm(predicted[:, None, :] - centres[None, :, :], axis=2)
        track_size = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        dt = np.array([max(0.0, at - t.last_seen) for t in tracks])
        reach = np.maximum(track_size * (settings.min_reach + settings.max_speed * dt), 1.0)
        cost = np.where(iou >= settings.iou_match, 1.0 - iou, 1.0 + distance / reach[:, None])
        cost[(iou < settings.iou_match) & (distance > reach[:, None])] = _NO_MATCH
        if settings.same_class:
            classes = np.array([t.class_id for t in tracks])
            cost[classes[:, None] != detections.class_id[None, :]] = _NO_MATCH
        return np.asarray(cost, np.float64)


def _greedy(cost: NDArray[np.float64]) -> list[tuple[int, int]]:
    """Pairs (row, column) taken cheapest first, each row and column at most once, never an infinite cost."""
    if cost.size == 0:
        return []
    order = np.argsort(cost, axis=None, kind="stable")
    rows_used: set[int] = set()
    cols_used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for flat in order.tolist():
        row, col = divmod(flat, cost.shape[1])
        if not np.isfinite(cost[row, col]):
            break
        if row in rows_used or col in cols_used:
            continue
        rows_used.add(row)
        cols_used.add(col)
        pairs.append((row, col))
    return pairs
