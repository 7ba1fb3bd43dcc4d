"""Test doubles for detector tests: a staged backend that finds bright rectangles, and frame factories."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.backends.batch_input import PreparedBatch
from detectors.class_map import ClassMap
from gridwatch.detections import Detections, ObjectKind
from gridwatch.messages import Frame, FrameReason, SourceKind

CLASS_NAMES = ("person", "bicycle")
CLASS_MAP = ClassMap(kinds={"person": ObjectKind.PERSON, "bicycle": ObjectKind.TWO_WHEELER})


class BrightBoxBackend:
    """Finds each white blob (pixels > 200) as one `bicycle` (wider than high) or `person` with score 0.9.

    Stateless between calls (the boxes travel in the prepared tensor), so ``streams`` threads may use it.
    """

    model_id = "bright-box"
    model_version = "test-1"
    class_names = CLASS_NAMES
    class_map = CLASS_MAP
    input_size = 64

    def __init__(self, max_batch_size: int = 4, streams: int = 1, rendezvous: int = 0) -> None:
        """``rendezvous``: the first that many batches wait for each other (up to 30 s, then
        ``threading.BrokenBarrierError``), so they must be run at the same time, on as many threads."""
        self.max_batch_size = max_batch_size
        self.streams = streams
        self.batch_sizes: list[int] = []
        self.threads: set[str] = set()
        self._rendezvous = threading.Barrier(rendezvous, timeout=30) if rendezvous > 1 else None
        self._waits_left = rendezvous
        self._lock = threading.Lock()

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        prepared = self.prepare(images)
        return self.decode(prepared, self.infer(prepared))

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        assert 0 < len(images) <= self.max_batch_size
        with self._lock:
            self.batch_sizes.append(len(images))
            self.threads.add(threading.current_thread().name)
            wait, self._waits_left = self._waits_left > 0, self._waits_left - 1
        if wait and self._rendezvous is not None:
            self._rendezvous.wait()
        rows = np.full((len(images), 16, 6), -1.0, np.float32)
        for i, image in enumerate(images):
            mask = (image.min(axis=2) > 200).astype(np.uint8)
            count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
            boxes = [
                [x, y, x + w, y + h, 0.9, 1.0 if w > h else 0.0]
                for x, y, w, h, area in stats[1:count].tolist()
                if area >= 4
            ][:16]
            if boxes:
                rows[i, : len(boxes)] = boxes
        return PreparedBatch(tensor=rows, placements=())

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        return [prepared.tensor]

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        results = []
        for rows in outputs[0]:
            found = rows[rows[:, 4] >= 0]
            results.append(
                Detections.of_classes(
                    found[:, :4],
                    found[:, 4],
                    found[:, 5].astype(np.int64),
                    CLASS_NAMES,
                    CLASS_MAP.kinds_of(CLASS_NAMES),
                )
            )
        return results


def frame_image(
    boxes: Sequence[tuple[int, int, int, int]], size: tuple[int, int] = (160, 120)
) -> NDArray[np.uint8]:
    """A dark image with white rectangles (x1, y1, x2, y2)."""
    width, height = size
    image = np.full((height, width, 3), 40, np.uint8)
    for x1, y1, x2, y2 in boxes:
        image[y1:y2, x1:x2] = 255
    return image


def make_frame(
    camera_id: str,
    seq: int,
    boxes: Sequence[tuple[int, int, int, int]] = (),
    *,
    captured_at: float | None = None,
    size: tuple[int, int] = (160, 120),
) -> Frame:
    """A frame whose JPEG shows ``boxes``; captured one second per seq after a fixed epoch by default."""
    ok, jpeg = cv2.imencode(".jpg", frame_image(boxes, size), [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return Frame(
        camera_id=camera_id,
        seq=seq,
        captured_at=1_750_000_000.0 + seq if captured_at is None else captured_at,
        source_kind=SourceKind.FILE,
        width=size[0],
        height=size[1],
        reason=FrameReason.MOTION,
        jpeg=bytes(jpeg),
    )


def corrupt_frame(camera_id: str, seq: int) -> Frame:
    """A frame that passes the codec (JPEG markers present) but whose JPEG body is garbage."""
    return Frame(
        camera_id=camera_id,
        seq=seq,
        captured_at=1_750_000_000.0 + seq,
        source_kind=SourceKind.FILE,
        width=160,
        height=120,
        reason=FrameReason.MOTION,
        jpeg=b"\xff\xd8" + bytes(range(256)) * 4 + b"\xff\xd9",
    )


class LowResolutionBackend(BrightBoxBackend):
    """Sees the world as a model does: each image stretched to ``input_size`` square, where a blob must be
    at least ``min_side`` model pixels wide and high to be found. Boxes come back in the image's pixels."""

    def __init__(self, input_size: int = 96, min_side: int = 4, max_batch_size: int = 4) -> None:
        super().__init__(max_batch_size=max_batch_size)
        self.input_size = input_size
        self.min_side = min_side
        self.seen_sizes: list[tuple[int, int]] = []

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        assert 0 < len(images) <= self.max_batch_size
        self.batch_sizes.append(len(images))
        rows = np.full((len(images), 16, 6), -1.0, np.float32)
        size = self.input_size
        for i, image in enumerate(images):
            height, width = image.shape[:2]
            self.seen_sizes.append((width, height))
            small = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
            mask = (small.min(axis=2) > 150).astype(np.uint8)
            count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
            sx, sy = width / size, height / size
            boxes = [
                [x * sx, y * sy, (x + w) * sx, (y + h) * sy, 0.9, 1.0 if w > h else 0.0]
                for x, y, w, h, _area in stats[1:count].tolist()
                if w >= self.min_side and h >= self.min_side
            ][:16]
            if boxes:
                rows[i, : len(boxes)] = boxes
        return PreparedBatch(tensor=rows, placements=())
