"""The frames the labelling page shows: each footage item sampled once, kept in memory as small JPEGs."""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.config import Camera
from ingest.frame_encoder import encode_jpeg, fit_longest_side
from replay.footage import FootageItem
from replay.sampling import sampled_frames


@dataclass(frozen=True, slots=True)
class FootageFrames:
    """One footage item's frames for the page."""

    item: FootageItem
    camera: Camera
    offsets: tuple[float, ...]
    jpegs: tuple[bytes, ...]
    width: int
    height: int


def load_frames(item: FootageItem, camera: Camera, interval_s: float, max_side: int = 640) -> FootageFrames:
    """Sample ``item`` every ``interval_s`` seconds into JPEGs of at most ``max_side`` pixels."""
    offsets: list[float] = []
    jpegs: list[bytes] = []
    width = height = 0
    for frame in sampled_frames(item, interval_s, max_side):
        image = fit_longest_side(frame.image, max_side)
        height, width = image.shape[:2]
        offsets.append(round(frame.offset_s, 3))
        jpegs.append(encode_jpeg(image, 80))
    return FootageFrames(item, camera, tuple(offsets), tuple(jpegs), width, height)
