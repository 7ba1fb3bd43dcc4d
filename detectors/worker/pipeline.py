"""Frames to detections messages: JPEG decode, batched model run, extra signals, evidence; every stage timed.

Pure of Kafka: the worker loop feeds it the frames of one consumed batch, in partition-offset order, so each
camera's frames reach its per-camera signals (static foreground) in order. A frame whose JPEG does not
decode (or disagrees with its header) comes back as rejected, with the reason, and the rest of the batch
goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.appearance import signatures
from detectors.backends.base import StagedBackend
from detectors.camera_zones import SiteCameras
from detectors.evidence.writer import EvidenceWriter
from detectors.tiles import TilePlan, merge_each, zoom_views
from detectors.worker.activity import CameraActivity
from detectors.worker.extra_signals import ExtraSignals
from detectors.worker.metrics import DetectMetrics
from detectors.worker.verifiers import CameraVerifiers
from gridwatch.detections import Detections
from gridwatch.messages import Frame, FrameDetections, ModelRef, StageTimings

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Boxes narrower or lower than this (in frame pixels) are dropped: they cannot be drawn or zoned.
MIN_BOX_SIDE = 1.0


@dataclass(frozen=True, slots=True)
class FrameOutcome:
    """What became of one frame: its detections message, or why it was rejected."""

    frame: Frame
    message: FrameDetections | None
    rejected: str | None = None


@dataclass(slots=True)
class _Decoded:
    index: int
    frame: Frame
    image: NDArray[np.uint8]
    decode_ms: float
    preprocess_ms: float = 0.0
    infer_ms: float = 0.0
    postprocess_ms: float = 0.0
    detections: Detections | None = None
    model: ModelRef | None = None


def split_evenly(items: list[T], streams: int, max_part: int) -> list[list[T]]:
    """``items`` in contiguous parts: one per stream (when there are enough), none over ``max_part``."""
    if not items:
        return []
    parts = max(min(max(1, streams), len(items)), -(-len(items) // max_part))
    size, extra = divmod(len(items), parts)
    result, start = [], 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        result.append(items[start:end])
        start = end
    return result


def decode_jpeg(frame: Frame) -> NDArray[np.uint8]:
    """The frame's image as BGR; ValueError when the JPEG does not decode or disagrees with the header."""
    image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"JPEG of {len(frame.jpeg)} bytes does not decode")
    height, width = image.shape[:2]
    if (width, height) != (frame.width, frame.height):
        raise ValueError(f"JPEG is {width}x{height} but the frame says {frame.width}x{frame.height}")
    return np.asarray(image, np.uint8)


class DetectionPipeline:
    """Runs one consumed batch of frames through the model and the per-camera signals."""

    def __init__(
        self,
        backend: StagedBackend,
        cameras_active: CameraActivity,
        cameras: SiteCameras,
        *,
        evidence: EvidenceWriter | None = None,
        extra_signals: ExtraSignals | None = None,
        metrics: DetectMetrics | None = None,
        models: Mapping[str, StagedBackend] | None = None,
        verifiers: CameraVerifiers | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.backend = backend
        #: Models the site names for cameras or zones, by id (the worker's own is ``backend``).
        self.models = {backend.model_id: backend, **(models or {})}
        self.cameras_active = cameras_active
        self.cameras = cameras
        self.evidence = evidence
        self.extra_signals = extra_signals
        self.metrics = metrics
        self.verifiers = verifiers
        self._timer = timer
        self._model_refs: dict[tuple[str | None, ...], ModelRef] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._plans: dict[tuple[str, int, int], TilePlan] = {}

    def reconfigure(
        self, cameras: SiteCameras, verifiers: CameraVerifiers | None, models: Mapping[str, StagedBackend]
    ) -> None:
        """Switch to a changed site's cameras (zones, detection settings), verifiers and named models; the
        tile plans are made again on the next frames. Called between batches."""
        self.cameras = cameras
        self.verifiers = verifiers
        self.models = {self.backend.model_id: self.backend, **models}
        self._plans.clear()
        self._model_refs.clear()

    def process(self, frames: Sequence[Frame]) -> list[FrameOutcome]:
        """One outcome per frame, in the same order."""
        outcomes: list[FrameOutcome | None] = [None] * len(frames)
        parts = split_evenly(list(enumerate(frames)), self.backend.streams, self.backend.max_batch_size)
        if len(parts) > 1:
            pool = self._executor()
            results = list(pool.map(self._decode_and_detect, parts))
        else:
            results = [self._decode_and_detect(part) for part in parts]
        decoded: list[_Decoded] = []
        for good, rejected in results:
            decoded.extend(good)
            for index, reason in rejected:
                outcomes[index] = FrameOutcome(frames[index], None, reason)
        decoded.sort(key=lambda item: item.index)
        for item in decoded:  # in order: each camera's signals see its frames in sequence
            try:
                outcomes[item.index] = FrameOutcome(item.frame, self._finish(item))
            except Exception as error:  # one frame's failure must not lose the batch: dead-letter it
                log.exception("post-processing failed on %s seq %d", item.frame.camera_id, item.frame.seq)
                outcomes[item.index] = FrameOutcome(
                    item.frame, None, f"post-processing failed: {type(error).__name__}: {error}"
                )
        return [outcome for outcome in outcomes if outcome is not None]

    def close(self) -> None:
        """Stop the stream threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=max(1, self.backend.streams), thread_name_prefix="gw-det"
            )
        return self._pool

    def _decode_and_detect(
        self, part: list[tuple[int, Frame]]
    ) -> tuple[list[_Decoded], list[tuple[int, str]]]:
        """JPEG decode and model run of one part of a batch (runs in a stream thread)."""
        good: list[_Decoded] = []
        rejected: list[tuple[int, str]] = []
        for index, frame in part:
            start = self._timer()
            try:
                image = decode_jpeg(frame)
            except ValueError as error:
                rejected.append((index, f"undecodable frame: {error}"))
                continue
            good.append(_Decoded(index, frame, image, (self._timer() - start) * 1000))
        if good:
            self._run_model(good)
        return good, rejected

    def _plan(self, item: _Decoded) -> TilePlan:
        """The views of this frame: zone tiles of its camera, or the whole frame."""
        height, width = item.image.shape[:2]
        zones = self.cameras.get(item.frame.camera_id)
        if zones is None:
            return TilePlan(width, height, ((0, 0, width, height),))
        key = (item.frame.camera_id, width, height)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = zones.tile_plan(width, height, self._input_size)
        if self.extra_signals is not None and zones.detection.zoom_static:
            regions = self.extra_signals.regions(item.frame.camera_id, width, height)
            plan = zoom_views(regions, plan, self._input_size, zones.detection)
        return plan

    def backend_for(self, model: str | None) -> StagedBackend:
        """The backend running ``model`` (None: the worker's own); LookupError naming the models open."""
        if model is None:
            return self.backend
        found = self.models.get(model)
        if found is None:
            raise LookupError(
                f"model {model!r} is not open in this worker (open: {', '.join(sorted(self.models))})"
            )
        return found

    def _input_size(self, model: str | None) -> int:
        return self.backend_for(model).input_size

    def model_ref(self, plan: TilePlan) -> ModelRef:
        """The model(s) behind a frame's detections: ids and versions joined by ``+`` when several ran."""
        key = tuple(sorted(set(plan.models), key=lambda m: m or ""))
        ref = self._model_refs.get(key)
        if ref is None:
            backends = [self.backend_for(model) for model in key]
            ref = self._model_refs[key] = ModelRef(
                id="+".join(dict.fromkeys(b.model_id for b in backends))[:128],
                version="+".join(dict.fromkeys(b.model_version for b in backends))[:64],
            )
        return ref

    def _run_model(self, chunk: list[_Decoded]) -> None:
        """The models over every view of every frame of ``chunk`` (views of all frames that run one model
        share its batches)."""
        timer = self._timer
        plans = [self._plan(item) for item in chunk]
        crops: list[NDArray[np.uint8]] = []
        by_model: dict[str | None, list[int]] = {}
        for item, plan in zip(chunk, plans, strict=True):
            for (x1, y1, x2, y2), model in zip(plan.views, plan.models, strict=True):
                by_model.setdefault(model, []).append(len(crops))
                crops.append(item.image[y1:y2, x1:x2])
        found: list[Detections] = [Detections.empty()] * len(crops)
        prepare_s = infer_s = decode_s = 0.0
        for model, indices in by_model.items():
            backend = self.backend_for(model)
            size = backend.max_batch_size
            for first in range(0, len(indices), size):
                part = indices[first : first + size]
                start = timer()
                prepared = backend.prepare([crops[i] for i in part])
                prepared_at = timer()
                outputs = backend.infer(prepared)
                inferred_at = timer()
                for index, detections in zip(part, backend.decode(prepared, outputs), strict=True):
                    found[index] = detections
                decoded_at = timer()
                prepare_s += prepared_at - start
                infer_s += inferred_at - prepared_at
                decode_s += decoded_at - inferred_at
                if self.metrics is not None:
                    self.metrics.batch_size.observe(len(part))
        merge_start = timer()
        for item, plan, detections in zip(chunk, plans, merge_each(plans, found), strict=True):
            item.detections = detections
            item.model = self.model_ref(plan)
        merge_s = timer() - merge_start
        for item, plan in zip(chunk, plans, strict=True):
            share = 1000.0 * len(plan.views) / len(crops)  # a frame's share: its views of all views
            item.preprocess_ms = prepare_s * share
            item.infer_ms = infer_s * share
            item.postprocess_ms = (decode_s + merge_s) * share
        if self.metrics is not None:
            self.metrics.views.inc(len(crops))

    def _finish(self, item: _Decoded) -> FrameDetections:
        frame, image = item.frame, item.image
        assert item.detections is not None and item.model is not None
        start = self._timer()
        detections = item.detections.with_min_side(MIN_BOX_SIDE)
        detections = detections.with_appearance(signatures(image, detections.xyxy))
        pushed_out = self.cameras_active.seen(frame.camera_id)
        zones = self.cameras.get(frame.camera_id)
        found = detections
        if self.extra_signals is not None:
            if pushed_out:
                self.extra_signals.drop(pushed_out)
            found = Detections.merge([detections, self.extra_signals.detect(frame, image, zones)])
        if self.verifiers:
            if pushed_out:
                self.verifiers.drop(pushed_out)
            found, removed = self.verifiers.apply(frame.camera_id, image, found, frame.captured_at)
            if removed:
                detections = found.select(~found.model_free_mask)  # the evidence shows what is left
                if self.metrics is not None:
                    self.metrics.verifier_removed.labels(frame.camera_id).inc(removed)
        item.postprocess_ms += (self._timer() - start) * 1000
        evidence_url = None
        if self.evidence is not None:
            evidence_start = self._timer()
            try:
                evidence_url = self.evidence.write(
                    camera_id=frame.camera_id,
                    seq=frame.seq,
                    captured_at=frame.captured_at,
                    image=image,
                    detections=detections,
                    zones=zones,
                )
            except Exception:  # a full disk or an unreachable bucket must not lose the detections
                log.exception("evidence for %s seq %d not stored", frame.camera_id, frame.seq)
                if self.metrics is not None:
                    self.metrics.evidence_failures.inc()
            if self.metrics is not None and evidence_url is not None:
                self.metrics.stage("evidence", (self._timer() - evidence_start) * 1000)
        timings = StageTimings(
            decode=round(item.decode_ms, 3),
            preprocess=round(item.preprocess_ms, 3),
            infer=round(item.infer_ms, 3),
            postprocess=round(item.postprocess_ms, 3),
        )
        if self.metrics is not None:
            for stage in ("decode", "preprocess", "infer", "postprocess"):
                self.metrics.stage(stage, getattr(timings, stage))
        height, width = image.shape[:2]
        return FrameDetections(
            camera_id=frame.camera_id,
            seq=frame.seq,
            captured_at=frame.captured_at,
            frame_width=width,
            frame_height=height,
            model=item.model,
            detections=found,
            timings_ms=timings,
            evidence_url=evidence_url,
        )
