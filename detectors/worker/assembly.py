"""Putting a worker together from settings: called by the CLI (the composition root) and by tests."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from detectors.backends.base import StagedBackend
from detectors.camera_zones import SiteCameras
from detectors.evidence.label_font import LabelPainter, make_label_painter
from detectors.evidence.settings import EvidencePolicy, EvidenceSettings
from detectors.evidence.stores import EvidenceStore, make_store
from detectors.evidence.writer import EvidenceWriter
from detectors.tracking.registry import TrackerRegistry
from detectors.worker.consumer_loop import ORDERED_PRODUCER, DetectWorker
from detectors.worker.extra_signals import ExtraSignals
from detectors.worker.metrics import DetectMetrics
from detectors.worker.pipeline import DetectionPipeline
from detectors.worker.settings import DetectWorkerSettings
from gridwatch.broker import DeadLetterRouter, KafkaSettings, make_consumer, make_producer
from gridwatch.config import SiteConfig

log = logging.getLogger(__name__)


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
    clock: Callable[[], float] = time.monotonic,
) -> DetectionPipeline:
    """The frames-to-detections pipeline of one worker."""
    return DetectionPipeline(
        backend,
        TrackerRegistry(settings.tracker, clock),
        SiteCameras.from_site(site),
        evidence=evidence,
        extra_signals=extra_signals,
        metrics=metrics,
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
