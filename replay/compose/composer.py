"""Composing a test clip: background, perspective, scenario, frames, labels, manifest and a preview.

Output folder::

    frames/NNNNNN.jpg + .json   the clip: an image folder with capture-time sidecars (replay --footage)
    clip.mp4                    the same frames as a video (with --mp4), for people
    labels.csv                  ground truth in replay's label format, each label with its object's box
    scenario.yaml               the scenario (seed included): composing it again gives the same clip
    manifest.json               sources and licences, seed, perspective fit, every placed object
    preview.png                 the plate with the zones, every placed object and the perspective scale
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from detectors.models.cache import sha256_file
from gridwatch.config import Camera
from replay.compose.background import Background
from replay.compose.library import CutoutLibrary
from replay.compose.manifest import BackgroundOut, Manifest, PlacedOut, SourceOut
from replay.compose.perspective import PerspectiveFit
from replay.compose.plan import BoxXYXY, Placed, Traffic, labels_of, plan
from replay.compose.render import Draw, Sprite, harmonised, make_sprite, render
from replay.compose.spec import Scenario, dump_scenario
from replay.compose.writer import FrameFolderWriter, Mp4Writer
from replay.labels import write_labels
from replay.progress import NoProgress, ProgressBar

ProgressFactory = Callable[[str, int | None], ProgressBar]
GENERATOR = "gridwatch replay compose 1"
#: Preview colours (BGR) by role; distractors and walkers orange.
ROLE_COLOURS: dict[str, tuple[int, int, int]] = {"episode": (60, 200, 60), "decoy": (220, 60, 220)}


@dataclass(frozen=True, slots=True)
class Canvas:
    """Native camera pixels (zones, labels) to canvas pixels (the background clip's frames)."""

    native: tuple[int, int]
    size: tuple[int, int]

    @property
    def sx(self) -> float:
        """Canvas pixels per native pixel, horizontally."""
        return self.size[0] / self.native[0]

    @property
    def sy(self) -> float:
        """Canvas pixels per native pixel, vertically."""
        return self.size[1] / self.native[1]

    def point(self, p: tuple[float, float]) -> tuple[float, float]:
        """A native point on the canvas."""
        return p[0] * self.sx, p[1] * self.sy


@dataclass
class ComposeResult:
    """What was written."""

    folder: Path
    frames: Path
    labels: Path
    manifest: Path
    preview: Path
    video: Path | None
    count: int
    placed: list[Placed] = field(default_factory=list)


class SpriteCache:
    """Scaled, brightness-matched sprites of objects standing still (made once), fresh ones for moving
    objects (their size changes with the row)."""

    def __init__(self, background: Background, canvas: Canvas, perspective: PerspectiveFit) -> None:
        self.background = background
        self.canvas = canvas
        self.perspective = perspective
        self._still: dict[str, Sprite] = {}

    def sprite(self, item: Placed, t: float) -> Sprite:
        """The sprite of ``item`` at ``t``."""
        still = item.path[0] == item.path[1]
        if still and item.name in self._still:
            return self._still[item.name]
        box = item.box_at(t, self.perspective)
        height = (box[3] - box[1]) * self.canvas.sy
        sprite = make_sprite(item.cutout, height)
        x1, y1 = self.canvas.point((box[0], box[1]))
        x2, y2 = self.canvas.point((box[2], box[3]))
        spot = (
            round(x1 - (x2 - x1) * 0.5),
            round(y1),
            round(x2 + (x2 - x1) * 0.5),
            round(y2 + (y2 - y1) * 0.1),
        )
        sprite = harmonised(sprite, self.background.plate, spot)
        if still:
            self._still[item.name] = sprite
        return sprite


def draws_at(t: float, placed: list[Placed], sprites: SpriteCache, canvas: Canvas) -> list[Draw]:
    """What is drawn on the frame at ``t``."""
    return [
        Draw(sprites.sprite(item, t), canvas.point(item.foot_at(t)), shadow=True)
        for item in placed
        if item.active(t)
    ]


def preview(
    background: Background, camera: Camera, canvas: Canvas, placed: list[Placed], perspective: PerspectiveFit
) -> np.ndarray:
    """The plate with zones (blue), episodes (green boxes), distractors (orange paths), decoys (magenta
    boxes) and a perspective scale (a person-height bar every quarter of the height)."""
    image = background.plate.copy()
    thick = max(1, round(max(canvas.size) / 800))
    for zone in camera.zones:
        points = np.array([canvas.point(p) for p in zone.polygon], np.int32)
        cv2.polylines(image, [points], True, (255, 128, 0), thick)
        cv2.putText(
            image, zone.id, tuple(points[0]), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * thick, (255, 128, 0), thick
        )
    for item in placed:
        box = item.box_at(item.start_s, perspective)
        a, b = canvas.point((box[0], box[1])), canvas.point((box[2], box[3]))
        colour = ROLE_COLOURS.get(item.role, (0, 140, 255))
        cv2.rectangle(image, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), colour, thick)
        if item.path[0] != item.path[1]:
            p, q = canvas.point(item.path[0]), canvas.point(item.path[1])
            cv2.arrowedLine(image, (round(p[0]), round(p[1])), (round(q[0]), round(q[1])), colour, thick)
        cv2.putText(image, item.name, (round(a[0]), round(a[1]) - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * thick,
                    colour, thick)  # fmt: skip
    for n, share in enumerate((0.25, 0.5, 0.75, 0.98)):
        y = share * camera.height
        h = perspective.person_height(y)
        x = (0.02 + 0.02 * n) * camera.width
        p, q = canvas.point((x, y - h)), canvas.point((x, y))
        cv2.line(image, (round(p[0]), round(p[1])), (round(q[0]), round(q[1])), (0, 0, 255), thick * 3)
    return image


def traffic_of(background: Background, canvas: Canvas) -> Traffic:
    """The share of the background clip's frames in which something moves over a box (native pixels)."""
    busy = background.traffic()
    height, width = busy.shape

    def over(box: BoxXYXY) -> float:
        a, b = canvas.point((box[0], box[1])), canvas.point((box[2], box[3]))
        x0, y0 = max(0, math.floor(a[0])), max(0, math.floor(a[1]))
        x1, y1 = min(width, math.ceil(b[0])), min(height, math.ceil(b[1]))
        return float(busy[y0:y1, x0:x1].mean()) if x1 > x0 and y1 > y0 else 0.0

    return over


def compose(
    scenario: Scenario,
    camera: Camera,
    background: Background,
    library: CutoutLibrary,
    perspective: PerspectiveFit,
    out: Path,
    *,
    mp4: bool = False,
    progress: ProgressFactory | None = None,
) -> ComposeResult:
    """Render ``scenario`` over ``background`` into ``out`` (see the module docstring for the layout)."""
    make_bar = progress or (lambda _label, _total: NoProgress())
    canvas = Canvas((camera.width, camera.height), background.size)
    placed = plan(scenario, camera, library, perspective, traffic_of(background, canvas))
    out.mkdir(parents=True, exist_ok=True)
    frames_dir = out / "frames"
    writer = FrameFolderWriter(frames_dir)
    video = Mp4Writer(out / "clip.mp4", scenario.fps, background.size) if mp4 else None
    sprites = SpriteCache(background, canvas, perspective)
    rng = np.random.default_rng(scenario.seed + 1)
    count = int(np.floor(scenario.duration_s * scenario.fps + 1e-9))
    start = scenario.start_epoch
    bar = make_bar(f"compose {camera.id}", count)
    try:
        for index in range(count):
            t = index / scenario.fps
            image = render(background.at(t), draws_at(t, placed, sprites, canvas), rng)
            writer.write(image, start + t)
            if video is not None:
                video.write(image)
            bar.advance()
    finally:
        bar.finish()
        if video is not None:
            video.close()
    labels = labels_of(placed, camera, perspective)
    labels_path = out / "labels.csv"
    write_labels(labels_path, labels)
    (out / "scenario.yaml").write_text(dump_scenario(scenario), encoding="utf-8")
    preview_path = out / "preview.png"
    cv2.imwrite(str(preview_path), preview(background, camera, canvas, placed, perspective))
    manifest = Manifest(
        generator=GENERATOR,
        camera=camera.id,
        native_size=(camera.width, camera.height),
        scenario=scenario,
        perspective=perspective,
        background=BackgroundOut(
            path=str(background.path),
            sha256=sha256_file(background.path),
            size=background.size,
            period_s=round(background.period_s, 3),
            frames=len(background.frames),
        ),
        frames=count,
        frames_folder=str(frames_dir),
        video=str(video.path) if video is not None else None,
        labels=str(labels_path),
        placed=[
            PlacedOut(
                name=p.name,
                role=p.role,
                cutout=p.cutout.id,
                start_s=p.start_s,
                end_s=p.end_s,
                path=p.path,
                box=tuple(round(v, 1) for v in p.box_at(p.start_s, perspective)),
                zone=p.zone,
                labelled=p.labelled,
            )
            for p in placed
        ],
        sources=[
            SourceOut(
                cutout=c.id,
                class_name=c.class_name,
                image=str(c.source.image),
                box=c.source.box,
                licence=c.source.licence,
                origin=c.source.origin,
                mask=c.method,
            )
            for c in {p.cutout.id: p.cutout for p in placed}.values()
        ],
    )
    manifest_path = out / "manifest.json"
    manifest_path.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    return ComposeResult(
        folder=out,
        frames=frames_dir,
        labels=labels_path,
        manifest=manifest_path,
        preview=preview_path,
        video=video.path if video is not None else None,
        count=count,
        placed=placed,
    )
