"""Deciding which frames need evidence, rendering it and storing it: one call per frame."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.camera_zones import CameraZones
from detectors.evidence.label_font import LabelPainter
from detectors.evidence.render import encode_jpeg, render_evidence
from detectors.evidence.settings import EvidencePolicy, EvidenceSettings
from detectors.evidence.stores import EvidenceStore, evidence_key
from gridwatch.detections import Detections
from gridwatch.evidence_frames import raw_frame_of


class EvidenceWriter:
    """Renders and stores the annotated snapshot of the frames the policy selects."""

    def __init__(self, settings: EvidenceSettings, store: EvidenceStore, painter: LabelPainter) -> None:
        self.settings = settings
        self.store = store
        self.painter = painter

    def wants(self, detections: Detections, zones: CameraZones | None, width: int, height: int) -> bool:
        """Whether this frame gets a snapshot."""
        policy = self.settings.policy
        if policy is EvidencePolicy.ALWAYS:
            return True
        if policy is EvidencePolicy.NEVER or zones is None:
            return False
        return zones.watched(detections, width, height)

    def write(
        self,
        *,
        camera_id: str,
        seq: int,
        captured_at: float,
        image: NDArray[np.uint8],
        detections: Detections,
        zones: CameraZones | None,
    ) -> str | None:
        """The snapshot's URL, or None when the policy skips this frame."""
        height, width = image.shape[:2]
        if not self.wants(detections, zones, width, height):
            return None
        key = evidence_key(camera_id, captured_at, seq)
        if self.settings.keep_raw:
            raw_key = raw_frame_of(key)
            assert raw_key is not None  # evidence keys end in .jpg
            # the clean frame first: a snapshot's URL is never published without its frame stored
            self.store.put(raw_key, encode_jpeg(image, self.settings.jpeg_quality))
        annotated = render_evidence(image, detections, zones, self.painter, at=captured_at)
        jpeg = encode_jpeg(annotated, self.settings.jpeg_quality)
        return self.store.put(key, jpeg)
