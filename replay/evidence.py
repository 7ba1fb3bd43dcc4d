"""Evidence thumbnails for the report: the cached frame at an incident's start, zones and boxes drawn."""

from __future__ import annotations

import cv2
import numpy as np

from gridwatch.config import Camera
from replay.runner import PreparedFootage
from replay.scoring import Episode


def frame_index(footage: PreparedFootage, at: float) -> int | None:
    """Index of the cached frame closest to epoch time ``at``."""
    frames = footage.cached.frames
    if not frames:
        return None
    offset = at - footage.start
    return min(range(len(frames)), key=lambda i: abs(frames[i].offset_s - offset))


def thumbnail(footage: PreparedFootage, camera: Camera, episode: Episode) -> bytes | None:
    """JPEG of the frame at the episode's start with its zone (yellow) and offending boxes (red)."""
    index = frame_index(footage, episode.start)
    data = None if index is None else footage.cached.thumbnail(index)
    if data is None:
        return None
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    height, width = image.shape[:2]
    sx, sy = width / camera.width, height / camera.height
    for zone in camera.zones:
        points = np.array([[x * sx, y * sy] for x, y in zone.polygon], np.int32).reshape(-1, 1, 2)
        colour = (0, 220, 255) if zone.id == episode.zone else (200, 200, 200)
        cv2.polylines(image, [points], True, colour, 2 if zone.id == episode.zone else 1)
    for x1, y1, x2, y2 in episode.first_boxes:
        cv2.rectangle(
            image, (round(x1 * sx), round(y1 * sy)), (round(x2 * sx), round(y2 * sy)), (0, 0, 230), 2
        )
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return buffer.tobytes() if ok else None
