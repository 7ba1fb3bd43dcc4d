"""Running a detector over a labelled set, and timing several detectors interleaved.

:func:`evaluate_detector` takes any ``detect(images) -> list[Detections]`` callable, so that whatever
produces detections (one model, an ensemble, a model over zone tiles) is measured the same way. Images are
read chunk by chunk (never all at once), as OpenCV reads them, without EXIF rotation, as the labels count
pixels.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.backends.base import StagedBackend
from detectors.evaluation.labels import LabelError, LabelledImage, LabelledSet
from detectors.evaluation.metrics import SWEEP, Tally, summarise
from detectors.evaluation.results import KindResult, SizeBuckets
from detectors.tiles import TilePlan, merge_each, plan_tiles
from gridwatch.config import CameraDetection
from gridwatch.detections import Detections

#: A detector as the evaluation sees it: BGR images in, one :class:`Detections` per image out.
DetectFn = Callable[[Sequence[NDArray[np.uint8]]], list[Detections]]

#: Told (images done, images in all) after each chunk.
Progress = Callable[[int, int], None]

#: Pause between two detectors' turns when timing (untimed): runtimes' worker threads spin for a while after
#: a run and would bill whichever detector runs next (docs/DESIGN.md, tooling facts).
SETTLE_S = 0.05


class EvaluationSettings(BaseModel):
    """How detections are judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iou_thresholds: tuple[float, ...] = Field(
        default=(0.3, 0.5),
        min_length=1,
        description="IoU a detection needs with a label to find it; each threshold is measured.",
    )
    size_buckets: SizeBuckets = Field(default_factory=SizeBuckets, description="Size buckets by box height.")
    min_score: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="Detections below this score are dropped before matching (the PR curve ends here).",
    )
    sweep: tuple[float, ...] = Field(
        default=SWEEP, description="Score thresholds of the operating-point table (those >= min_score)."
    )


def read_image(item: LabelledImage) -> NDArray[np.uint8]:
    """The image of ``item`` as BGR; LabelError when it does not decode or its size is not the labels'."""
    image = cv2.imread(str(item.image), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if image is None:
        raise LabelError(f"{item.image}: cannot be decoded")
    height, width = image.shape[:2]
    if (width, height) != (item.width, item.height):
        raise LabelError(
            f"{item.image}: decodes as {width}x{height}, its labels say {item.width}x{item.height}"
        )
    return np.asarray(image, np.uint8)


def evaluate_detector(
    detect: DetectFn,
    dataset: LabelledSet,
    operating_threshold: float,
    settings: EvaluationSettings | None = None,
    *,
    chunk: int = 8,
    progress: Progress | None = None,
) -> list[KindResult]:
    """Run ``detect`` on every image of ``dataset``, ``chunk`` images per call, and measure each of the
    data set's kinds at each IoU threshold (results in kind order, then IoU order)."""
    settings = settings or EvaluationSettings()
    tallies = {
        (kind, iou): Tally(kind, iou, settings.size_buckets)
        for kind in dataset.kinds
        for iou in settings.iou_thresholds
    }
    total = len(dataset.images)
    for start in range(0, total, chunk):
        items = dataset.images[start : start + chunk]
        found = detect([read_image(item) for item in items])
        if len(found) != len(items):
            raise ValueError(f"the detector returned {len(found)} results for {len(items)} images")
        for item, detections in zip(items, found, strict=True):
            kept = detections.with_min_score(settings.min_score)
            for kind in dataset.kinds:
                labels, ignore = item.of_kind(kind)
                of_kind = kept.of_kinds(kind)
                for iou in settings.iou_thresholds:
                    tallies[kind, iou].add_image(labels, ignore, of_kind.xyxy, of_kind.score)
        if progress is not None:
            progress(min(start + chunk, total), total)
    sweep = [t for t in settings.sweep if t >= settings.min_score]
    return [summarise(tally, operating_threshold, sweep) for tally in tallies.values()]


def split(items: Sequence[NDArray[np.uint8]], parts: int, most: int) -> list[list[NDArray[np.uint8]]]:
    """``items`` in contiguous parts: ``parts`` of them where there are enough items, none over ``most``."""
    count = max(min(max(1, parts), len(items)), -(-len(items) // max(1, most)))
    size, extra = divmod(len(items), count)
    result, start = [], 0
    for part in range(count):
        end = start + size + (1 if part < extra else 0)
        result.append(list(items[start:end]))
        start = end
    return [part for part in result if part]


class StreamedDetect:
    """A backend as a :data:`DetectFn`: each call's images split over the backend's streams, each part
    detected in its own thread (as the worker splits a batch), results in image order. Close it after use."""

    def __init__(self, backend: StagedBackend) -> None:
        self._backend = backend
        self._pool = ThreadPoolExecutor(max_workers=max(1, backend.streams), thread_name_prefix="eval")

    @property
    def backend(self) -> StagedBackend:
        """The backend it runs."""
        return self._backend

    def __call__(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        parts = split(images, self._backend.streams, self._backend.max_batch_size)
        return [found for part in self._pool.map(self._backend.detect_batch, parts) for found in part]

    def close(self) -> None:
        """Stop its threads."""
        self._pool.shutdown(wait=True)


class ViewedDetect(StreamedDetect):
    """A backend as the detector worker runs it on a camera whose zone is the whole image: each image's views
    (zone tiles at the model's resolution, and the whole frame where ``settings`` keeps it) detected in the
    backend's batches over its streams, then merged into the image's detections."""

    def __init__(self, backend: StagedBackend, settings: CameraDetection) -> None:
        super().__init__(backend)
        self._settings = settings

    def plan(self, width: int, height: int) -> TilePlan:
        """The views of a ``width`` x ``height`` image."""
        whole = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        size = self.backend.input_size
        return plan_tiles([(whole, None)], width, height, lambda _model: size, self._settings)

    def __call__(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        plans = [self.plan(image.shape[1], image.shape[0]) for image in images]
        crops = [
            image[y1:y2, x1:x2]
            for image, plan in zip(images, plans, strict=True)
            for x1, y1, x2, y2 in plan.views
        ]
        return merge_each(plans, super().__call__(crops))


def time_interleaved(
    detectors: dict[str, DetectFn],
    images: Sequence[NDArray[np.uint8]],
    *,
    chunk: int = 8,
    rounds: int = 3,
    settle_s: float = SETTLE_S,
) -> dict[str, float]:
    """Milliseconds per image of each detector: after one warm-up chunk each, every round runs the images
    chunk by chunk, each detector in turn on each chunk (so that all of them share the machine's moods),
    and each detector's best round counts."""
    if not images or not detectors:
        return {}
    for detect in detectors.values():
        detect(images[:chunk])
    best = dict.fromkeys(detectors, float("inf"))
    for _ in range(max(1, rounds)):
        spent = dict.fromkeys(detectors, 0.0)
        for start in range(0, len(images), chunk):
            part = images[start : start + chunk]
            for name, detect in detectors.items():
                if settle_s:
                    time.sleep(settle_s)
                began = time.perf_counter()
                detect(part)
                spent[name] += time.perf_counter() - began
        for name, seconds in spent.items():
            best[name] = min(best[name], seconds)
    return {name: 1000.0 * seconds / len(images) for name, seconds in best.items()}


def usable_cpus() -> int:
    """CPUs this process may run on."""
    return max(1, len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
