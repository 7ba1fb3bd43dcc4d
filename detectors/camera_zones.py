"""What the detector needs to know of each camera from the site configuration: its zones and their rules.

Zone polygons are drawn in the camera's native pixels; frames arrive at the detector input size, so
polygons are scaled to each frame's size before use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.tiles import TilePlan, plan_tiles
from gridwatch.config import CameraDetection, SiteConfig, SpotException
from gridwatch.config.models_camera import Camera
from gridwatch.detections import Detections, ObjectKind


@dataclass(frozen=True, slots=True)
class ZoneView:
    """One zone: name, polygon in native pixels, and the object kinds its rules watch."""

    id: str
    name: str
    polygon: NDArray[np.float32]
    kinds: frozenset[ObjectKind]
    static_foreground: bool
    model: str | None = None  # the zone's own detection model; None: the camera's

    def scaled(self, scale_x: float, scale_y: float) -> NDArray[np.float32]:
        """The polygon in pixels of a frame ``scale`` times the native size."""
        return np.asarray(self.polygon * np.array([scale_x, scale_y], np.float32), np.float32)


@dataclass(frozen=True, slots=True)
class CameraZones:
    """A camera's native size and zones."""

    camera_id: str
    native_width: int
    native_height: int
    zones: tuple[ZoneView, ...]
    detection: CameraDetection = field(default_factory=CameraDetection)
    spots: tuple[SpotException, ...] = ()  # dismissed spots: drawn on the evidence, the rules skip them

    @classmethod
    def of(cls, camera: Camera) -> CameraZones:
        """The zones of a configured camera."""
        zones = []
        for zone in camera.zones:
            kinds: set[ObjectKind] = set()
            static = False
            for rule in zone.rules:
                kinds.update(rule.kinds)
                static = static or rule.uses_static_foreground
            zones.append(
                ZoneView(
                    id=zone.id,
                    name=zone.name,
                    polygon=np.asarray(zone.polygon, np.float32).reshape(-1, 2),
                    kinds=frozenset(kinds),
                    static_foreground=static,
                    model=zone.model,
                )
            )
        return cls(camera.id, camera.width, camera.height, tuple(zones), camera.detection, camera.exceptions)

    @property
    def wants_static_foreground(self) -> bool:
        """True when a storefront-trading rule of a zone uses the static-foreground signal."""
        return any(zone.static_foreground for zone in self.zones)

    def polygons_for(self, width: int, height: int) -> list[tuple[ZoneView, NDArray[np.float32]]]:
        """Each zone with its polygon scaled to a ``width`` x ``height`` frame."""
        scale_x, scale_y = width / self.native_width, height / self.native_height
        return [(zone, zone.scaled(scale_x, scale_y)) for zone in self.zones]

    @property
    def models(self) -> frozenset[str]:
        """The detection models this camera's configuration names (its own and its zones')."""
        named = {zone.model for zone in self.zones} | {self.detection.model}
        return frozenset(model for model in named if model is not None)

    def tile_plan(self, width: int, height: int, input_size: Callable[[str | None], int]) -> TilePlan:
        """Where the detector looks in a ``width`` x ``height`` frame of this camera (zone tiles), and with
        which model (``input_size(model)`` is that model's input side; None is the worker's own)."""
        camera_model = self.detection.model
        zones = [(polygon, zone.model or camera_model) for zone, polygon in self.polygons_for(width, height)]
        return plan_tiles(zones, width, height, input_size, self.detection)

    def watched(self, detections: Detections, width: int, height: int) -> bool:
        """True when a detection stands (bottom-centre) in a zone whose rules watch its kind."""
        if not len(detections) or not self.zones:
            return False
        kinds = detections.kind
        points = detections.bottom_centre
        for zone, polygon in self.polygons_for(width, height):
            contour = polygon.reshape(-1, 1, 2)
            for kind, (x, y) in zip(kinds, points.tolist(), strict=True):
                if kind in zone.kinds and cv2.pointPolygonTest(contour, (float(x), float(y)), False) >= 0:
                    return True
        return False


class SiteCameras:
    """Zones of every camera in a site (cameras not in the site have none)."""

    def __init__(self, cameras: Mapping[str, CameraZones]) -> None:
        self._cameras = dict(cameras)

    @classmethod
    def from_site(cls, site: SiteConfig | None) -> SiteCameras:
        """Every camera of ``site`` (none without a site)."""
        if site is None:
            return cls({})
        return cls({camera.id: CameraZones.of(camera) for camera in site.cameras})

    def get(self, camera_id: str) -> CameraZones | None:
        """The camera's zones, or None for a camera the site does not know."""
        return self._cameras.get(camera_id)

    def __len__(self) -> int:
        return len(self._cameras)

    def ids(self) -> list[str]:
        """Ids of the cameras with a configuration."""
        return list(self._cameras)
