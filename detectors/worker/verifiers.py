"""The verifiers the site names for its cameras (``camera.detection.verifier``), loaded once each.

A camera with a verifier has its detections of the verifier's classes rescored after the model and the
static-foreground signal, before they are published: what it does not believe never reaches the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
        return f"{info.id}:{info.data_sha256[:16]}:{self.limit:g}:r{RUNTIME_VERSION}"


#: Version of how verifier scores become decisions (the replay cache keys on it).
RUNTIME_VERSION = 2

#: Seconds (frame time) of a camera's frames whose verifier scores count towards an object's score.
REMEMBER_S = 30.0


class CameraVerifiers:
    """Camera id → its verifier; cameras without one pass untouched. Per camera it remembers the boxes and
    scores of the last :data:`REMEMBER_S` seconds of frames: the verifier judges an object over time, not
    each frame's view of it."""

    def __init__(self, by_camera: Mapping[str, CameraVerifier]) -> None:
        self._by_camera = dict(by_camera)
        self._recent: dict[str, list[tuple[float, NDArray[np.float32], NDArray[np.float64]]]] = {}

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
        self, camera_id: str, image: NDArray[np.uint8], detections: Detections, at: float
    ) -> tuple[Detections, int]:
        """The detections the camera's verifier keeps on its frame taken at ``at``; how many it removed."""
        found = self._by_camera.get(camera_id)
        if found is None:
            return detections, 0
        recent = [item for item in self._recent.get(camera_id, []) if at - REMEMBER_S <= item[0] < at]
        memory = None
        if recent:
            memory = (
                np.concatenate([b for _t, b, _p in recent]),
                np.concatenate([p for _t, _b, p in recent]),
            )
        kept, removed, (boxes, scores) = found.verifier.keep(image, detections, found.limit, memory)
        self._recent[camera_id] = [*recent, (at, boxes, scores)] if len(boxes) else recent
        return kept, removed

    def drop(self, camera_ids: Iterable[str]) -> None:
        """Forget what the verifiers remember of these cameras (they moved to another worker)."""
        for camera_id in camera_ids:
            self._recent.pop(camera_id, None)
