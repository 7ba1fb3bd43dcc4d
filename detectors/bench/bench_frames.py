"""The frames a benchmark runs on: real CCTV footage when the shared data has some, else generated scenes.

Frames are JPEG-encoded once, at the size the camera pool publishes (longest side 960 px), so every path
measured starts from the same bytes a worker receives on gw.frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from gridwatch.messages import Frame, FrameReason, SourceKind

SHARED_FOOTAGE = Path(__file__).resolve().parents[3] / "shared" / "data" / "footage" / "cctv"
FOOTAGE_PATTERNS = ("*.mp4", "*.avi")
PUBLISHED_MAX_SIDE = 960
JPEG_QUALITY = 85
CAMERAS = 8


@dataclass(frozen=True, slots=True)
class BenchFrames:
    """Encoded frames, and where they came from."""

    frames: tuple[Frame, ...]
    source: str


def find_footage(directory: Path = SHARED_FOOTAGE) -> list[Path]:
    """Video files in the shared footage folder, largest first (absent folder: none)."""
    if not directory.is_dir():
        return []
    found = {path for pattern in FOOTAGE_PATTERNS for path in directory.glob(pattern)}
    return sorted(found, key=lambda p: (-p.stat().st_size, p.name))


def load_bench_frames(
    count: int, footage: Path | None = None, videos: Sequence[Path] | None = None
) -> BenchFrames:
    """``count`` frames spread over the footage (``footage``, else the shared videos), else generated ones."""
    candidates = [footage] if footage is not None else list(videos if videos is not None else find_footage())
    for video in candidates:
        images = _read_spread(video, count)
        if len(images) == count:
            return BenchFrames(_as_frames(images), f"footage:{video.name}")
    return BenchFrames(_as_frames(_generated(count)), "generated")


def _read_spread(video: Path, count: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(video))
    try:
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        step = max(1, total // count) if total > 0 else 1
        images: list[np.ndarray] = []
        index = 0
        while len(images) < count:
            ok, image = capture.read()
            if not ok:
                break
            if index % step == 0:
                images.append(image)
            index += 1
        return images
    finally:
        capture.release()


def _generated(count: int, size: tuple[int, int] = (1920, 1080)) -> list[np.ndarray]:
    """Street-like scenes: textured ground, shop fronts, and people/bike-sized blobs that move."""
    rng = np.random.default_rng(7)
    width, height = size
    base = rng.integers(60, 140, (height // 8, width // 8, 3), dtype=np.uint8)
    base = np.asarray(cv2.resize(base, size, interpolation=cv2.INTER_CUBIC), np.uint8)
    images = []
    for index in range(count):
        image = base.copy()
        for blob in range(12):
            x = int((blob * 157 + index * 23) % (width - 120))
            y = int(height * 0.45 + (blob * 71) % int(height * 0.4))
            colour = tuple(int(c) for c in rng.integers(0, 255, 3))
            cv2.rectangle(image, (x, y), (x + 60 + blob * 3, y + 150), colour, cv2.FILLED)
            cv2.circle(image, (x + 30, y - 20), 22, colour, cv2.FILLED)
        images.append(image)
    return images


def _as_frames(images: Sequence[np.ndarray]) -> tuple[Frame, ...]:
    frames = []
    for index, image in enumerate(images):
        height, width = image.shape[:2]
        scale = min(1.0, PUBLISHED_MAX_SIDE / max(height, width))
        if scale < 1.0:
            image = cv2.resize(
                image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
            )
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:  # pragma: no cover
            raise ValueError("JPEG encoding failed")
        frames.append(
            Frame(
                camera_id=f"bench-{index % CAMERAS}",
                seq=index // CAMERAS,
                captured_at=1_750_000_000.0 + index,
                source_kind=SourceKind.FILE,
                width=image.shape[1],
                height=image.shape[0],
                reason=FrameReason.MOTION,
                jpeg=bytes(jpeg),
            )
        )
    return tuple(frames)
