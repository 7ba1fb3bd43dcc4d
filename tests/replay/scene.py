"""A labelled test scene: a person (a real crop from the ultralytics ``bus.jpg``) pasted onto a static street
background at known times, in one of two zones, written as an H.264 clip; and the site that watches it.

Timeline of the 60 s clip at 5 fps (the camera samples 1 fps; a person is drawn on frames whose time t is in
[start, end)), zone A on the left half, zone B on the right half:

=====  ====  ========  =======================================
who    zone  [start,   labelled (an operator calls it an incident)
             end) s
=====  ====  ========  =======================================
P1     A     5, 25     yes
P4     B     10, 16    yes   (short: only a short dwell finds it)
P2     B     30, 35    no    (a passer-by who stops for 5 s)
P3     A     40, 55    yes
=====  ====  ========  =======================================
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import yaml

from detectors.models.cache import asset_cache_dir
from ingest.clips import background

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"
WIDTH, HEIGHT, FPS, SECONDS = 640, 360, 5, 60
#: The person in bus.jpg (x1, y1, x2, y2) the default model finds with score ~0.76.
PERSON_BOX = (45, 396, 221, 903)
PERSON_HEIGHT = 200
ZONE_A = [[0, 200], [319, 200], [319, 359], [0, 359]]
ZONE_B = [[320, 200], [639, 200], [639, 359], [320, 359]]


@dataclass(frozen=True)
class Appearance:
    """Someone standing in a zone from ``start`` to ``end`` (seconds), at horizontal position ``x``."""

    name: str
    zone: str
    start: float
    end: float
    x: int
    labelled: bool


APPEARANCES = (
    Appearance("P1", "z-a", 5, 25, 110, True),
    Appearance("P4", "z-b", 10, 16, 430, True),
    Appearance("P2", "z-b", 30, 35, 470, False),
    Appearance("P3", "z-a", 40, 55, 150, True),
)


def bus_image() -> Path | None:
    """bus.jpg in the test-asset cache, or None (``gridwatch models fetch-test-assets`` puts it there)."""
    path = asset_cache_dir() / "bus.jpg"
    return path if path.is_file() else None


def write_scene(path: Path, bus: Path) -> Path:
    """Write the clip described in the module docstring."""
    source = cv2.imread(str(bus))
    assert source is not None, f"{bus} does not decode"
    x1, y1, x2, y2 = PERSON_BOX
    crop = source[y1:y2, x1:x2]
    width = round(crop.shape[1] * PERSON_HEIGHT / crop.shape[0])
    person = cv2.resize(crop, (width, PERSON_HEIGHT), interpolation=cv2.INTER_AREA)
    base = background(WIDTH, HEIGHT, seed=3)
    top = HEIGHT - PERSON_HEIGHT - 10
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(FPS))
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.options = {"preset": "veryfast", "crf": "18", "x264-params": "bframes=0"}
        for index in range(FPS * SECONDS):
            t = index / FPS
            frame = base.copy()
            for who in APPEARANCES:
                if who.start <= t < who.end:
                    frame[top : top + PERSON_HEIGHT, who.x : who.x + width] = person
            video = av.VideoFrame.from_ndarray(frame, format="bgr24")
            video.pts = index
            for packet in stream.encode(video):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def scene_site_yaml(*, dwell_s: float = 8, clear_s: float = 3) -> str:
    """A site with camera ``cam-t`` (640x360, 1 fps) and zones A and B whose storefront-trading rule
    follows people (a rule that watches ``person`` boxes, so that the default COCO model can be tested)."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    micro_grid = data["cameras"][0]["micro_grid"]

    def rule() -> dict[str, Any]:
        return {
            "kind": "storefront_trading",
            "kinds": ["person"],
            "signal": "detections",
            "dwell_s": dwell_s,
            "clear_s": clear_s,
            "cooldown_s": 0,
            "inertia": 2,
        }

    data["cameras"] = [
        {
            "id": "cam-t",
            "name": "test camera",
            "micro_grid": micro_grid,
            "location": {"lat": 30.13, "lon": 119.97},
            "resolution": [WIDTH, HEIGHT],
            "sample_fps": 1,
            "source": {"kind": "file", "path": "scene.mp4"},
            "zones": [
                {"id": "z-a", "name": "zone A", "polygon": ZONE_A, "rules": [rule()]},
                {"id": "z-b", "name": "zone B", "polygon": ZONE_B, "rules": [rule()]},
            ],
        }
    ]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def labels_csv() -> str:
    """The labelled appearances as a label CSV (seconds from the footage start)."""
    rows = ["camera,zone,class,start,end"]
    rows += [f"cam-t,{a.zone},04,{a.start:g},{a.end:g}" for a in APPEARANCES if a.labelled]
    return "\n".join(rows) + "\n"
