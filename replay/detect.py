"""Running the detector over footage once, into the detection cache.

The frames take the live path: sampled on the camera's grid, scaled to the ingest size, JPEG-encoded, then
the detector worker's own pipeline (decode, model) and, when the camera's rules use it, the
static-foreground signal. The model is loaded only on a cache miss.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from detectors.backends.base import StagedBackend
from detectors.backends.ensemble import EnsembleSettings, ensemble_members
from detectors.backends.factory import BackendChoice, open_backend, resolved_kind
from detectors.backends.site_models import SiteModelError, open_named_models
from detectors.camera_zones import CameraZones, SiteCameras
from detectors.models.custom import ModelFormat
from detectors.models.registry import get_model_spec
from detectors.static_foreground import StaticForegroundSettings
from detectors.verifier.runtime import VerifierError
from detectors.worker.activity import CameraActivity
from detectors.worker.pipeline import DetectionPipeline
from detectors.worker.static_foreground_signals import StaticForegroundSignals
from detectors.worker.verifiers import CameraVerifiers
from gridwatch.config import Camera
from gridwatch.messages import Frame, FrameReason, SourceKind
from ingest.frame_encoder import encode_jpeg, fit_longest_side
from replay.cache import CachedFootage, CachedFrame, CacheKey, CacheMeta, DetectionCache
from replay.errors import ReplayError
from replay.footage import FootageItem, FootageKind, digest
from replay.progress import NoProgress, ProgressBar
from replay.sampling import expected_samples, sampled_frames

#: Longest side of thumbnails kept in the cache (evidence in reports, the labelling page).
THUMB_SIDE = 320
#: Frames handed to the pipeline at once (one model batch).
BATCH = 8

ProgressFactory = Callable[[str, int | None], ProgressBar]


def views_key(camera: Camera) -> str:
    """What decides where the detector looks in this camera's frames: its detection settings and, with zone
    tiles, its zone polygons (relative to its size). Equal keys, equal tiles."""
    detection = camera.detection
    if not detection.zone_tiles or not camera.zones:
        return "whole-frame"
    zones = [(zone.normalized_polygon(camera.width, camera.height), zone.model) for zone in camera.zones]
    text = json.dumps([detection.model_dump(mode="json"), zones], sort_keys=True)
    return "tiles-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def score_floor(choice: BackendChoice) -> float:
    """The model's own minimum score: no detection below it is ever produced, so no replay conf may be."""
    custom = choice.custom
    if custom is None:
        members = ensemble_members(choice.model_id)
        if members is not None:
            return EnsembleSettings().score_threshold
        try:
            return get_model_spec(choice.model_id).decoder_defaults.score_threshold
        except KeyError as error:
            raise ReplayError(f"unknown model: {error}") from None
    if custom.format is ModelFormat.CENTERNET:
        return custom.centernet.score_threshold
    return custom.yolo.score_threshold


@dataclass
class Detector:
    """The model side of replay: chosen up front, loaded lazily on the first cache miss."""

    choice: BackendChoice = field(default_factory=BackendChoice)
    max_side: int = 960
    jpeg_quality: int = 80
    progress: ProgressFactory = field(default=lambda _label, _total: NoProgress())
    _backend: StagedBackend | None = None
    _identity: tuple[str, str] | None = None
    _verifier_cache: dict[tuple[str, str | None, float | None], CameraVerifiers] = field(default_factory=dict)

    def backend(self) -> StagedBackend:
        """The loaded model."""
        if self._backend is None:
            try:
                self._backend = open_backend(self.choice)
            except (FileNotFoundError, ImportError, RuntimeError) as error:
                raise ReplayError(f"cannot load the model: {error}") from None
        return self._backend

    def identity(self) -> tuple[str, str]:
        """(model id, version) without loading the model where the catalogue or the config says it."""
        if self._identity is None:
            custom = self.choice.custom
            members = ensemble_members(self.choice.model_id) if custom is None else None
            if custom is None:
                try:
                    specs = [get_model_spec(member) for member in (members or (self.choice.model_id,))]
                except KeyError as error:
                    raise ReplayError(f"unknown model: {error}") from None
                version = "+".join(spec.version for spec in specs)
                self._identity = (self.choice.model_id, version)
            elif custom.version is not None:
                self._identity = (custom.id, custom.version)
            else:
                backend = self.backend()
                self._identity = (backend.model_id, backend.model_version)
        return self._identity

    def key(self, item: FootageItem, camera: Camera, footage_sha256: str) -> CacheKey:
        """The cache key of ``item`` replayed as ``camera``."""
        return self.key_for(camera, footage_sha256)

    def key_for(self, camera: Camera, footage_sha256: str) -> CacheKey:
        """The cache key of footage with this digest replayed as ``camera``."""
        model_id, version = self.identity()
        return CacheKey(
            footage_sha256=footage_sha256,
            sample_interval_s=camera.sample_interval_s,
            max_side=self.max_side,
            jpeg_quality=self.jpeg_quality,
            model_id=model_id,
            model_version=version,
            runtime=resolved_kind(self.choice),
            score_floor=score_floor(self.choice),
            static_foreground=(static := CameraZones.of(camera).wants_static_foreground),
            static_model=StaticForegroundSettings().for_camera(camera.detection).signature()
            if static
            else "",
            views=views_key(camera),
            verifier=self._verifier_identity(camera),
        )

    def _verifier_identity(self, camera: Camera) -> str:
        found = self._verifiers(camera).get(camera.id)
        return "" if found is None else found.identity()

    def _verifiers(self, camera: Camera) -> CameraVerifiers:
        """The camera's verifier (``detection.verifier``), loaded once per camera and folder."""
        folder = camera.detection.verifier
        key = (
            camera.id,
            None if folder is None else str(folder.resolve()),
            camera.detection.verifier_threshold,
        )
        found = self._verifier_cache.get(key)
        if found is None:
            try:
                found = CameraVerifiers.of(SiteCameras({camera.id: CameraZones.of(camera)}))
            except VerifierError as error:
                raise ReplayError(str(error)) from None
            self._verifier_cache[key] = found
        return found

    def detections(
        self, item: FootageItem, camera: Camera, cache: DetectionCache | None
    ) -> tuple[CachedFootage, bool]:
        """The cached detections of ``item`` as ``camera`` (computing them on a miss); (entry, was_hit)."""
        key = self.key(item, camera, digest(item))
        total = expected_samples(item, camera.sample_interval_s)
        return self._cached(key, cache, str(item.path), lambda: self._encoded(item, camera), camera, total)

    def recorded_detections(
        self, camera: Camera, frames: list[Frame], cache: DetectionCache | None
    ) -> tuple[CachedFootage, bool]:
        """The cached detections of frames read from gw.frames (already sampled and encoded by ingest)."""
        hasher = hashlib.sha256(b"gw.frames\0")
        for frame in frames:
            hasher.update(f"{frame.camera_id}\0{frame.captured_at!r}\0".encode())
            hasher.update(frame.jpeg)
        key = self.key_for(camera, hasher.hexdigest())
        where = f"gw.frames {camera.id}"
        return self._cached(key, cache, where, lambda: self._recorded(frames, camera), camera, len(frames))

    def _cached(
        self,
        key: CacheKey,
        cache: DetectionCache | None,
        where: str,
        frames: Callable[[], Iterator[_Encoded]],
        camera: Camera,
        total: int | None,
    ) -> tuple[CachedFootage, bool]:
        if cache is not None:
            hit = cache.load(key)
            if hit is not None:
                return hit, True
        cached, thumbs, meta = self._run(key, where, frames(), camera, total)
        if cache is None:
            return CachedFootage(meta=meta, frames=tuple(cached)), False
        return cache.store(meta, cached, thumbs), False

    def _encoded(self, item: FootageItem, camera: Camera) -> Iterator[_Encoded]:
        """The footage's sampled frames, as ingest would publish them."""
        kind = SourceKind.DIRECTORY if item.kind is FootageKind.IMAGE_FOLDER else SourceKind.FILE
        for seq, sampled in enumerate(sampled_frames(item, camera.sample_interval_s, max_side=4096)):
            image = fit_longest_side(sampled.image, self.max_side)
            height, width = image.shape[:2]
            frame = Frame(
                camera_id=camera.id,
                seq=seq,
                captured_at=max(0.0, sampled.captured_at),
                source_kind=kind,
                width=width,
                height=height,
                reason=FrameReason.MOTION,
                jpeg=encode_jpeg(image, self.jpeg_quality),
            )
            thumb = encode_jpeg(fit_longest_side(image, THUMB_SIDE), 75)
            native = (int(sampled.image.shape[1]), int(sampled.image.shape[0]))
            yield _Encoded(frame, sampled.offset_s, sampled.captured_at - sampled.offset_s, thumb, native)

    def _recorded(self, frames: list[Frame], camera: Camera) -> Iterator[_Encoded]:
        """Frames from gw.frames: offsets from the first one; native size is the camera's (ingest checked
        the shape when it published them)."""
        if not frames:
            return
        first = frames[0].captured_at
        for frame in frames:
            image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                continue
            thumb = encode_jpeg(fit_longest_side(np.asarray(image, np.uint8), THUMB_SIDE), 75)
            yield _Encoded(frame, frame.captured_at - first, first, thumb, (camera.width, camera.height))

    def _run(
        self, key: CacheKey, where: str, encoded: Iterator[_Encoded], camera: Camera, total: int | None
    ) -> tuple[list[CachedFrame], list[bytes], CacheMeta]:
        backend = self.backend()
        started = time.perf_counter()
        signals = (
            StaticForegroundSignals(
                [camera.id], per_camera={camera.id: StaticForegroundSettings().for_camera(camera.detection)}
            )
            if key.static_foreground
            else None
        )
        cameras = SiteCameras({camera.id: CameraZones.of(camera)})
        try:
            models = open_named_models(cameras, self.choice, backend)
        except SiteModelError as error:
            raise ReplayError(str(error)) from None
        pipeline = DetectionPipeline(
            backend,
            CameraActivity(float("inf"), 1, time.monotonic),
            cameras,  # the camera's zone tiles and models, as live
            extra_signals=signals,
            models=models,
            verifiers=self._verifiers(camera),
        )
        frames: list[CachedFrame] = []
        thumbs: list[bytes] = []
        pending: list[_Encoded] = []
        first: _Encoded | None = None
        bar = self.progress(f"detect {where} as {camera.id}", total)

        def flush() -> None:
            outcomes = pipeline.process([item.frame for item in pending])
            for item, outcome in zip(pending, outcomes, strict=True):
                if outcome.message is None:
                    continue
                message = outcome.message
                frames.append(
                    CachedFrame(
                        offset_s=item.offset_s,
                        captured_at=item.frame.captured_at,
                        width=message.frame_width,
                        height=message.frame_height,
                        detections=message.detections,
                    )
                )
                thumbs.append(item.thumb)
            bar.advance(len(pending))
            pending.clear()

        try:
            for item in encoded:
                first = first or item
                pending.append(item)
                if len(pending) >= BATCH:
                    flush()
            if pending:
                flush()
        finally:
            pipeline.close()
            bar.finish()
        if first is None:
            raise ReplayError(f"{where} has no frame that decodes")
        meta = CacheMeta(
            key=key,
            footage=where,
            source_start=first.source_start,
            native_size=first.native_size,
            frames=len(frames),
            thumb_side=THUMB_SIDE,
            detect_seconds=round(time.perf_counter() - started, 3),
        )
        return frames, thumbs, meta


@dataclass(frozen=True, slots=True)
class _Encoded:
    """A frame ready for the detector, with its offset in the footage, the footage's start, a thumbnail and
    the footage's native frame size."""

    frame: Frame
    offset_s: float
    source_start: float
    thumb: bytes
    native_size: tuple[int, int]
