"""The detector process's composition root: model, pipeline, Kafka clients and worker, from settings.

`gridwatch detect` parses its arguments into settings and calls :func:`run_detect`; replay and the tests build
pipelines and workers with the same functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from detectors.backends.base import StagedBackend
from detectors.backends.factory import BackendChoice, open_backend
from detectors.backends.onnx_runtime import ModelNotBuiltError
from detectors.backends.site_models import SiteModelError, open_named_models
from detectors.camera_zones import SiteCameras
from detectors.evidence.label_font import LabelPainter, make_label_painter
from detectors.evidence.settings import EvidencePolicy, EvidenceSettings
from detectors.evidence.stores import EvidenceStore, make_store
from detectors.evidence.writer import EvidenceWriter
from detectors.static_foreground import StaticForegroundSettings
from detectors.verifier.runtime import VerifierError
from detectors.worker.activity import CameraActivity
from detectors.worker.consumer_loop import ORDERED_PRODUCER, DetectWorker
from detectors.worker.extra_signals import ExtraSignals
from detectors.worker.metrics import DetectMetrics
from detectors.worker.pipeline import DetectionPipeline
from detectors.worker.settings import DetectWorkerSettings
from detectors.worker.site_reload import SiteReloader
from detectors.worker.static_foreground_signals import StaticForegroundSignals
from detectors.worker.verifiers import CameraVerifiers
from gridwatch.broker import DeadLetterRouter, KafkaSettings, make_consumer, make_producer
from gridwatch.config import SiteConfig
from gridwatch.runtime.metrics_http import serve_metrics

log = logging.getLogger("gridwatch.detect")


def build_evidence(
    settings: EvidenceSettings, *, store: EvidenceStore | None = None, painter: LabelPainter | None = None
) -> EvidenceWriter | None:
    """The evidence writer the settings ask for (None when the policy is `never`)."""
    if settings.policy is EvidencePolicy.NEVER:
        return None
    return EvidenceWriter(
        settings, store or make_store(settings), painter or make_label_painter(settings.label_font)
    )


def build_pipeline(
    backend: StagedBackend,
    settings: DetectWorkerSettings,
    site: SiteConfig | None,
    *,
    metrics: DetectMetrics | None = None,
    evidence: EvidenceWriter | None = None,
    extra_signals: ExtraSignals | None = None,
    models: Mapping[str, StagedBackend] | None = None,
    verifiers: CameraVerifiers | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> DetectionPipeline:
    """The frames-to-detections pipeline of one worker (``models``: those the site names for cameras and
    zones, besides the worker's own ``backend``)."""
    return DetectionPipeline(
        backend,
        CameraActivity(settings.camera_idle_s, settings.max_cameras, clock),
        SiteCameras.from_site(site),
        evidence=evidence,
        extra_signals=extra_signals,
        metrics=metrics,
        models=models,
        verifiers=verifiers,
    )


def build_worker(
    kafka: KafkaSettings,
    settings: DetectWorkerSettings,
    pipeline: DetectionPipeline,
    *,
    metrics: DetectMetrics | None = None,
    client_suffix: str = "detect",
) -> tuple[DetectWorker, Any, Any]:
    """A subscribed worker with its consumer and producer (close both when done)."""
    consumer = make_consumer(
        kafka,
        group_id=settings.group_id,
        client_suffix=client_suffix,
        max_poll_records=settings.batching.max_batch_size,
    )
    producer = make_producer(kafka, client_suffix=client_suffix, **ORDERED_PRODUCER)
    router = DeadLetterRouter(producer, settings.name)
    worker = DetectWorker(
        consumer,
        producer,
        router,
        pipeline,
        settings.batching,
        send_timeout_s=settings.send_timeout_s,
        metrics=metrics,
    )
    worker.subscribe()
    return worker, consumer, producer


def static_foreground_signals(site: SiteConfig | None) -> ExtraSignals | None:
    """Static-foreground detection for the cameras whose trading rules ask for it, or None.

    Enabled per camera: when any zone of the camera has a storefront-trading rule with ``signal``
    ``static_foreground`` or ``both``.
    """
    cameras = SiteCameras.from_site(site)
    wanted = [
        camera_id
        for camera_id in cameras.ids()
        if (zones := cameras.get(camera_id)) and zones.wants_static_foreground
    ]
    if not wanted:
        return None
    log.info("static_foreground signal on for cameras %s", wanted)
    default = StaticForegroundSettings()
    own = {
        camera_id: default.for_camera(zones.detection)
        for camera_id in wanted
        if (zones := cameras.get(camera_id)) and zones.detection.static_threshold is not None
    }
    return StaticForegroundSignals(wanted, default, per_camera=own)


def run_detect(
    site: SiteConfig | None,
    settings: DetectWorkerSettings,
    choice: BackendChoice,
    kafka: KafkaSettings,
    should_stop: Callable[[], bool],
    site_path: Path | None = None,
) -> int:
    """Run one detector worker until ``should_stop``: 0 after a requested stop, 1 without the model. With
    ``site_path`` it follows the site file: changed models, verifiers and zones apply between batches."""
    try:
        backend = open_backend(choice)
        models = open_named_models(SiteCameras.from_site(site), choice, backend)
        verifiers = CameraVerifiers.of(SiteCameras.from_site(site))
    except (ModelNotBuiltError, FileNotFoundError, ImportError, SiteModelError, VerifierError) as error:
        log.error("%s", error)
        return 1
    for camera_id in SiteCameras.from_site(site).ids():
        if (found := verifiers.get(camera_id)) is not None:
            log.info("camera %s: verifier %s (keeps at %.2f)", camera_id, found.verifier.info.id, found.limit)
    metrics = DetectMetrics()
    if settings.metrics_port:
        serve_metrics(metrics.registry, settings.metrics_host, settings.metrics_port)
    pipeline = build_pipeline(
        backend,
        settings,
        site,
        metrics=metrics,
        evidence=build_evidence(settings.evidence),
        extra_signals=static_foreground_signals(site),
        models=models,
        verifiers=verifiers,
    )
    worker, consumer, producer = build_worker(kafka, settings, pipeline, metrics=metrics)
    log.info(
        "detect: model %s %s (and %s for the cameras and zones that name them), batch %d, group %s, "
        "broker %s",
        backend.model_id,
        backend.model_version,
        ", ".join(sorted(models)) or "no other",
        settings.batching.max_batch_size,
        settings.group_id,
        kafka.bootstrap_servers,
    )
    reloader = None if site_path is None else SiteReloader(site_path, pipeline, choice)
    try:
        stats = worker.run(should_stop, between=None if reloader is None else reloader.check)
    finally:
        consumer.close()
        producer.close(timeout=10)
        pipeline.close()
    log.info("detect: stopped after %d frames (%d dead-lettered)", stats.detected, stats.dead_lettered)
    return 0
