"""A synthetic camera for the composer's tests: a textured street (320x240, 6 s at 10 fps) that a bright
"person" crosses left to right (x = 50 t .. 50 t + 20, rows 150-210), a photo with one dark-red object on
grey to cut out (labelled as a bicycle), a site with two parking zones, and a stand-in detector that finds
whatever differs from the plate, but only on the left half of the picture."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import yaml

from gridwatch.config import Camera
from gridwatch.detections import Detections, ObjectKind
from replay.cache import CachedFootage, CachedFrame, CacheKey, CacheMeta, DetectionCache
from replay.compose.labelled import LabelledObject
from replay.compose.library import CutoutLibrary, build_library
from replay.detect import Detector
from replay.footage import FootageItem
from replay.sampling import sampled_frames

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"
WIDTH, HEIGHT, FPS, SECONDS = 320, 240, 10, 6
BLOB_ROWS = (150, 210)
BLOB_WIDTH = 20
PERSPECTIVE = "100:60,240:120"  # a person 60 px tall with the feet at row 100, 120 px at row 240
ZONE_A = [[0, 120], [159, 120], [159, 239], [0, 239]]
ZONE_B = [[160, 120], [319, 120], [319, 239], [160, 239]]
OBJECT_BOX = (55.0, 35.0, 145.0, 185.0)


def blob_x(t: float) -> int:
    """Left edge of the crossing person at clip time ``t``."""
    return round(50 * (t % SECONDS))


def street(seed: int = 2) -> np.ndarray:
    """The static street: smooth grey texture."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(110, 25, (HEIGHT // 8, WIDTH // 8, 3)).clip(0, 255).astype(np.uint8)
    return np.asarray(cv2.resize(noise, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC), np.uint8)


def write_background(path: Path) -> Path:
    """The street clip with the bright person crossing it."""
    base = street()
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(FPS))
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv444p"
        stream.codec_context.options = {"crf": "4", "preset": "veryfast"}
        for index in range(FPS * SECONDS):
            frame = base.copy()
            x = blob_x(index / FPS)
            frame[BLOB_ROWS[0] : BLOB_ROWS[1], x : x + BLOB_WIDTH] = 250
            video = av.VideoFrame.from_ndarray(frame, format="bgr24")
            video.pts = index
            for packet in stream.encode(video):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write_photo(path: Path) -> LabelledObject:
    """A photo with one dark-red object on grey, labelled as a bicycle."""
    photo = np.full((220, 200, 3), 150, np.uint8)
    cv2.ellipse(photo, (100, 150), (40, 30), 0, 0, 360, (30, 30, 170), -1)
    cv2.rectangle(photo, (85, 45), (115, 150), (20, 20, 150), -1)
    cv2.imwrite(str(path), photo)
    return LabelledObject(
        image=path, box=OBJECT_BOX, class_name="bicycle", licence="test-made", origin="compose_scene"
    )


def library(folder: Path) -> CutoutLibrary:
    """A library with the one synthetic object."""
    return build_library([write_photo(folder / "photo.png")])


def site_yaml(*, dwell_s: float = 4, clear_s: float = 2) -> str:
    """A site with camera cam-s (320x240) and zones z-a (left) and z-b (right) watching two-wheelers."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    micro_grid = data["cameras"][0]["micro_grid"]
    rule = {"kind": "ebike_parking", "dwell_s": dwell_s, "clear_s": clear_s, "cooldown_s": 0, "inertia": 2}
    data["cameras"] = [
        {
            "id": "cam-s",
            "name": "synthetic street",
            "micro_grid": micro_grid,
            "location": {"lat": 30.13, "lon": 119.97},
            "resolution": [WIDTH, HEIGHT],
            "sample_fps": 2,
            "source": {"kind": "file", "path": "street.mp4"},
            "zones": [
                {"id": "z-a", "name": "left", "polygon": ZONE_A, "rules": [rule]},
                {"id": "z-b", "name": "right", "polygon": ZONE_B, "rules": [rule]},
            ],
        }
    ]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class LeftHalfDetector(Detector):
    """Finds regions differing from ``plate`` (what was pasted) as two-wheelers, on the left half only."""

    def __init__(self, plate: np.ndarray) -> None:
        super().__init__()
        self.plate = plate.astype(np.int16)

    def detections(
        self, item: FootageItem, camera: Camera, cache: DetectionCache | None
    ) -> tuple[CachedFootage, bool]:
        frames = []
        for sampled in sampled_frames(item, camera.sample_interval_s, max_side=WIDTH):
            diff = np.abs(sampled.image.astype(np.int16) - self.plate).max(axis=2)
            mask = (diff > 40).astype(np.uint8)
            count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask)
            boxes = [
                (x, y, x + w, y + h)
                for x, y, w, h, area in stats[1:count]
                if area >= 30 and x + w / 2 < WIDTH / 2
            ]
            found = Detections.of_classes(
                np.array(boxes, np.float32).reshape(-1, 4),
                np.full(len(boxes), 0.9, np.float32),
                np.zeros(len(boxes), np.int64),
                ["bicycle"],
                [ObjectKind.TWO_WHEELER],
            )
            frames.append(CachedFrame(offset_s=sampled.offset_s, captured_at=sampled.captured_at,
                                      width=WIDTH, height=HEIGHT, detections=found))  # fmt: skip
        key = CacheKey(
            footage_sha256="0" * 64,
            sample_interval_s=camera.sample_interval_s,
            max_side=WIDTH,
            jpeg_quality=90,
            model_id="left-half",
            model_version="1",
            runtime="none",
            score_floor=0.3,
            static_foreground=False,
        )
        meta = CacheMeta(key=key, footage=str(item.path), source_start=0.0, native_size=(WIDTH, HEIGHT),
                         frames=len(frames), thumb_side=64, detect_seconds=0.0)  # fmt: skip
        return CachedFootage(meta=meta, frames=tuple(frames)), False
