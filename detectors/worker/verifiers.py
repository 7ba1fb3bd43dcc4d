"""The verifiers the site names for its cameras (``camera.detection.verifier``), loaded once each.

A camera with a verifier has its detections of the verifier's classes rescored after the model and the
static-foreground signal, before they are published: what it does not believe never reaches the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from detectors.camera_zones import SiteCameras
from detectors.verifier.runtime import Verifier, VerifierError
from gridwatch.detections import Detections


@dataclass(frozen=True)
class CameraVerifier:
    """A camera's verifier and the threshold it keeps detections at (None: the verifier's own)."""

    verifier: Verifier
    threshold: float | None

    @property
    def limit(self) -> float:
        """The score a detection needs to be kept."""
        return self.verifier.info.threshold if self.threshold is None else self.threshold

    def identity(self) -> str:
        """What decides its answers: the artefact's id, training data and the threshold."""
        info = self.verifier.info
        return f"{info.id}:{info.data_sha256[:16]}:{self.limit:g}"


class CameraVerifiers:
    """Camera id → its verifier; cameras without one pass untouched."""

    def __init__(self, by_camera: Mapping[str, CameraVerifier]) -> None:
        self._by_camera = dict(by_camera)

    @classmethod
    def of(cls, cameras: SiteCameras) -> CameraVerifiers:
        """Load the verifiers the cameras name; :class:`VerifierError` naming the camera of one that cannot
        be loaded."""
        loaded: dict[Path, Verifier] = {}
        by_camera: dict[str, CameraVerifier] = {}
        for camera_id in cameras.ids():
            zones = cameras.get(camera_id)
            folder = None if zones is None else zones.detection.verifier
            if zones is None or folder is None:
                continue
            key = folder.resolve()
            if key not in loaded:
                try:
                    loaded[key] = Verifier.load(folder)
                except VerifierError as error:
                    raise VerifierError(f"camera {camera_id}: verifier {folder}: {error}") from None
            by_camera[camera_id] = CameraVerifier(loaded[key], zones.detection.verifier_threshold)
        return cls(by_camera)

    def __bool__(self) -> bool:
        return bool(self._by_camera)

    def get(self, camera_id: str) -> CameraVerifier | None:
        """The camera's verifier, if it has one."""
        return self._by_camera.get(camera_id)

    def apply(
        self, camera_id: str, image: NDArray[np.uint8], detections: Detections
    ) -> tuple[Detections, int]:
        """The detections the camera's verifier keeps, and how many it removed."""
        found = self._by_camera.get(camera_id)
        if found is None:
            return detections, 0
        return found.verifier.keep(image, detections, found.limit)
