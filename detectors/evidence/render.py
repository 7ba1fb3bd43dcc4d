"""Annotated snapshots: zone polygons with their names, boxes with kind, class and score."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.camera_zones import CameraZones
from detectors.evidence.label_font import BGR, LabelPainter
from gridwatch.detections import Detections, ObjectKind

KIND_LABELS: dict[ObjectKind, str] = {
    ObjectKind.TWO_WHEELER: "非机动车",
    ObjectKind.PERSON: "行人",
    ObjectKind.TRADING_OBJECT: "经营物品",
    ObjectKind.VEHICLE: "机动车",
    ObjectKind.OTHER: "其他",
}
"""What grid workers read on a box (the class name follows in ASCII)."""

KIND_COLOURS: dict[ObjectKind, BGR] = {
    ObjectKind.TWO_WHEELER: (0, 200, 255),
    ObjectKind.PERSON: (80, 220, 80),
    ObjectKind.TRADING_OBJECT: (255, 120, 0),
    ObjectKind.VEHICLE: (200, 200, 200),
    ObjectKind.OTHER: (160, 160, 160),
}
ZONE_COLOUR: BGR = (60, 60, 255)
SPOT_COLOUR: BGR = (170, 170, 170)


def box_label(kind: ObjectKind, class_name: str, score: float, cjk: bool) -> str:
    """``非机动车 bicycle 0.83`` (the kind in Chinese only when the painter can draw it)."""
    kind_text = KIND_LABELS[kind] if cjk else str(kind)
    return f"{kind_text} {class_name} {score:.2f}"


def render_evidence(
    image: NDArray[np.uint8],
    detections: Detections,
    zones: CameraZones | None,
    painter: LabelPainter,
    at: float | None = None,
) -> NDArray[np.uint8]:
    """A copy of ``image`` with zones (translucent fill, outline, name), the dismissed spots that apply at
    ``at`` (grey outline, 豁免 and the reason), boxes and labels drawn on it."""
    canvas = image.copy()
    height, width = canvas.shape[:2]
    thickness = max(1, round(max(width, height) / 640))
    if zones is not None:
        overlay = canvas.copy()
        polygons = zones.polygons_for(width, height)
        for _, polygon in polygons:
            cv2.fillPoly(overlay, [np.round(polygon).astype(np.int32)], ZONE_COLOUR)
        cv2.addWeighted(overlay, 0.15, canvas, 0.85, 0, dst=canvas)
        for zone, polygon in polygons:
            points = np.round(polygon).astype(np.int32)
            cv2.polylines(canvas, [points], True, ZONE_COLOUR, thickness, cv2.LINE_AA)
            top_left = points[np.argmin(points[:, 1])]
            painter.draw(
                canvas,
                zone.name if painter.supports_cjk else zone.id,
                (int(top_left[0]), int(top_left[1])),
                ZONE_COLOUR,
            )
    if zones is not None and zones.spots:
        sx, sy = width / zones.native_width, height / zones.native_height
        for spot in zones.spots:
            if at is not None and not spot.active_at(at):
                continue
            points = np.round(np.asarray(spot.polygon, np.float32) * (sx, sy)).astype(np.int32)
            cv2.polylines(canvas, [points], True, SPOT_COLOUR, thickness, cv2.LINE_AA)
            top_left = points[np.argmin(points[:, 1])]
            text = f"豁免 {spot.reason}" if painter.supports_cjk else f"exempt {spot.id}"
            painter.draw(canvas, text, (int(top_left[0]), int(top_left[1])), SPOT_COLOUR)
    for box, name, kind, score in zip(
        detections.xyxy.tolist(),
        detections.class_name,
        detections.kind,
        detections.score.tolist(),
        strict=True,
    ):
        x1, y1, x2, y2 = (round(v) for v in box)
        colour = KIND_COLOURS[kind]
        cv2.rectangle(canvas, (x1, y1), (x2, y2), colour, thickness, cv2.LINE_AA)
        painter.draw(canvas, box_label(kind, name, score, painter.supports_cjk), (x1, y1), colour)
    return canvas


def encode_jpeg(image: NDArray[np.uint8], quality: int) -> bytes:
    """Baseline JPEG bytes of a BGR image."""
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV fails only on invalid images
        raise ValueError("JPEG encoding failed")
    return bytes(buffer)
