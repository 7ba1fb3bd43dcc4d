"""Synthetic street-like video clips (H.264 through PyAV) for the benchmark, tests and demos.

A clip is a fixed textured background, an on-screen clock that changes every frame as a camera's OSD does,
and optionally a few moving boxes; ``noise`` adds per-frame sensor noise of that many grey levels. Encoded
as a camera's main stream (4 Mbit/s at 1080p, key frame every ``gop_s``, no B-frames), the sensor noise makes
the P-frames use their share of the bit rate as on a busy street, so that key frames and P-frames cost about
what they cost there. Quiet scenes have cheaper P-frames, which narrows the gap between the two decode modes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from ingest.sources.base import Image

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ClipSpec:
    """What clip to write."""

    width: int = 1920
    height: int = 1080
    fps: int = 25
    seconds: float = 30.0
    gop_s: float = 2.0
    moving: bool = True
    noise: int = 0
    #: Target and cap of the bit rate in bit/s (a 1080p street camera's main stream: 4 Mbit/s).
    bitrate: int = 4_000_000
    clock_overlay: bool = True
    seed: int = 7

    @property
    def frames(self) -> int:
        """Number of frames in the clip."""
        return max(1, round(self.fps * self.seconds))

    @property
    def gop_frames(self) -> int:
        """Frames between key frames."""
        return max(1, round(self.fps * self.gop_s))


def background(width: int, height: int, seed: int) -> Image:
    """A textured street-ish background: gradient sky, a road, blocky facades and fine fixed grain."""
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3), np.uint8)
    ramp = np.linspace(150, 220, height // 3, dtype=np.float32)
    image[: height // 3] = ramp[:, None, None].astype(np.uint8)
    image[height // 3 :] = (90, 95, 100)
    for _ in range(24):
        x = int(rng.integers(0, width))
        w = int(rng.integers(width // 20, width // 6))
        h = int(rng.integers(height // 6, height // 2))
        colour = tuple(int(c) for c in rng.integers(40, 200, size=3))
        cv2.rectangle(image, (x, height // 2 - h), (x + w, height // 2), colour, -1)
        for wy in range(height // 2 - h + 8, height // 2 - 8, max(8, h // 8)):
            cv2.rectangle(image, (x + 6, wy), (x + w - 6, wy + 4), (30, 30, 40), -1)
    white = rng.normal(0.0, 10.0, size=(height, width)).astype(np.float32)
    grain = cv2.GaussianBlur(white, (0, 0), 1.5)[:, :, None]  # surface texture, not white noise
    textured: Image = np.clip(image.astype(np.float32) + grain, 0, 255).astype(np.uint8)
    return textured


def render(spec: ClipSpec, base: Image, index: int, rng: np.random.Generator) -> Image:
    """Frame ``index`` of the clip."""
    frame = base.copy()
    width, height = spec.width, spec.height
    t = index / spec.fps
    if spec.moving:
        for lane in range(4):
            speed = (0.08 + 0.05 * lane) * width  # pixels per second
            x = int((t * speed + lane * width / 4) % (width + width // 5)) - width // 10
            y = int(height * (0.6 + 0.08 * lane))
            box_w, box_h = width // 12, height // 14
            shade = 235 if lane % 2 == 0 else 25  # light and dark vehicles, both unlike the grey road
            colour = (shade, shade - 10 * lane if shade > 100 else shade + 10 * lane, shade)
            cv2.rectangle(frame, (x, y), (x + box_w, y + box_h), colour, -1)
    if spec.clock_overlay:
        scale = max(0.4, height / 720)
        text = f"CAM 0001  {int(t) // 3600:02d}:{int(t) // 60 % 60:02d}:{t % 60:06.3f}"
        cv2.putText(frame, text, (16, int(40 * scale)), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 2)
    if spec.noise > 0:
        noise = rng.integers(-spec.noise, spec.noise + 1, size=frame.shape, dtype=np.int16)
        frame = np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    return frame


def write_clip(path: Path, spec: ClipSpec, progress: Progress | None = None) -> Path:
    """Write ``spec`` as H.264 (no B-frames, key frame every ``gop_s`` seconds exactly) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(spec.seed)
    base = background(spec.width, spec.height, spec.seed)
    gop = spec.gop_frames
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(spec.fps))
        stream.width = spec.width
        stream.height = spec.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        stream.bit_rate = spec.bitrate
        stream.codec_context.options = {
            "preset": "veryfast",
            "maxrate": str(spec.bitrate),
            "bufsize": str(spec.bitrate * 2),
            "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0",
        }
        total = spec.frames
        for index in range(total):
            image = render(spec, base, index, rng)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
            if progress is not None and (index + 1) % max(1, spec.fps * 5) == 0:
                progress(index + 1, total)
        for packet in stream.encode(None):
            container.mux(packet)
    return path
