"""The demo camera's scene from the licensed photos: bicycles parked on a pavement, seen as a live camera.

The camera looks at ``leuvenB.jpg``, cropped to its aspect ratio so that the bicycles' wheels stand on the
row where its parking zone lies. Every frame differs as a live camera's do: sensor noise, a slow exposure
drift, and people cut out of the other sample photos (OpenCV's GrabCut, as the scenario composer does)
walking across at the scene's perspective. The clip is seamless when it loops: nobody is in the picture at
its start and end, and the exposure drift is periodic over its length.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from app.demo.frames import FootageReadError, add_sensor_noise, read_photo
from app.demo.licensed import LicensedImages, PasserBy
from gridwatch.config import Camera, RuleKind
from ingest.sources.base import Image
from replay.compose.cutouts import soft_mask
from replay.compose.render import Sprite, blend
from replay.errors import ReplayError

#: Where the parked bicycles' wheels touch the pavement in leuvenB.jpg (x, y in its pixels).
BIKES_GROUND = (200.0, 466.0)
#: The row of leuvenB.jpg's horizon (where the street vanishes), for the passers-by's perspective.
HORIZON_ROW = 385.0
#: A passer-by's height in leuvenB.jpg's pixels with the feet on the bicycles' ground row (1.7 m against the
#: bicycles' ~1 m and ~70 px).
PERSON_HEIGHT_AT_BIKES = 115.0
#: Expected size of leuvenB.jpg; a photo of another size is not the pinned one.
SCENE_SIZE = (751, 563)


class SceneError(ValueError):
    """The licensed scene cannot be made for this camera (a photo unreadable or not the pinned one)."""


@dataclass(frozen=True, slots=True)
class View:
    """The part of the scene photo the camera sees: a crop of its aspect ratio, scaled to its resolution."""

    x0: float
    y0: float
    scale: float  # camera pixels per photo pixel
    width: int
    height: int

    def to_camera(self, x: float, y: float) -> tuple[float, float]:
        """A photo point in camera pixels."""
        return (x - self.x0) * self.scale, (y - self.y0) * self.scale


def ground_row(camera: Camera) -> float:
    """The camera row the parked bicycles should stand on: the vertical middle of its first zone with an
    ``ebike_parking`` rule, else four fifths down the frame."""
    for zone in camera.zones:
        if zone.rule(RuleKind.EBIKE_PARKING) is not None:
            rows = [y for _x, y in zone.polygon]
            return (min(rows) + max(rows)) / 2
    return camera.height * 0.8


def view_for(camera: Camera, photo_width: int, photo_height: int) -> View:
    """The largest crop of the photo with the camera's aspect ratio, centred on the bicycles across and
    placing their ground row at :func:`ground_row` (as far as the photo reaches)."""
    width, height = camera.resolution
    aspect = width / height
    crop_w = min(float(photo_width), photo_height * aspect)
    crop_h = crop_w / aspect
    scale = width / crop_w
    x0 = min(max(BIKES_GROUND[0] - crop_w / 2, 0.0), photo_width - crop_w)
    y0 = min(max(BIKES_GROUND[1] - ground_row(camera) / scale, 0.0), photo_height - crop_h)
    return View(x0=x0, y0=y0, scale=scale, width=width, height=height)


def render_view(photo: Image, view: View) -> Image:
    """The camera's picture of the photo (no noise)."""
    matrix = np.array([[view.scale, 0, -view.x0 * view.scale], [0, view.scale, -view.y0 * view.scale]])
    warped = cv2.warpAffine(
        photo, matrix, (view.width, view.height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return np.ascontiguousarray(warped, dtype=np.uint8)


def cut_sprite(passer: PasserBy, path: Path) -> Sprite:
    """The person of ``passer`` cut out of the photo at ``path`` (GrabCut from the box, feathered)."""
    image = read_photo(path)
    try:
        mask = soft_mask(image, passer.box, passer.exclude)
    except ReplayError as error:
        raise SceneError(f"cannot cut a person out of {path.name}: {error}") from None
    x1, y1, x2, y2 = (round(v) for v in passer.box)
    x1, y1 = max(0, x1), max(0, y1)
    x2, y2 = min(image.shape[1], x2), min(image.shape[0], y2)
    alpha = mask[y1:y2, x1:x2].astype(np.float32) / 255.0
    if float((alpha > 0.5).mean()) < 0.1:
        raise SceneError(f"no person could be cut out of {path.name} at {passer.box}")
    return Sprite(image[y1:y2, x1:x2].astype(np.float32), alpha)


@dataclass(frozen=True, slots=True)
class Walk:
    """One passer-by's crossing: which sprite, when (seconds into the clip), along which photo row."""

    sprite: int
    start_s: float
    duration_s: float
    foot_row: float  # in the photo's pixels
    leftwards: bool


#: Crossings of a 40 s clip (scaled to the clip's length): nearer people walk faster across the picture.
WALKS: tuple[Walk, ...] = (
    Walk(sprite=0, start_s=3.0, duration_s=9.0, foot_row=500.0, leftwards=False),
    Walk(sprite=1, start_s=15.0, duration_s=12.0, foot_row=440.0, leftwards=True),
    Walk(sprite=2, start_s=27.0, duration_s=10.0, foot_row=540.0, leftwards=True),
)
WALKS_CLIP_S = 40.0


def person_height(view: View, foot_row: float) -> float:
    """A passer-by's height in camera pixels with the feet on photo row ``foot_row``."""
    per_row = PERSON_HEIGHT_AT_BIKES / (BIKES_GROUND[1] - HORIZON_ROW)
    return max(8.0, (foot_row - HORIZON_ROW) * per_row * view.scale)


def _paste(canvas: NDArray[np.float32], sprite: Sprite, height: float, x: float, foot: float) -> None:
    """Blend ``sprite`` scaled to ``height`` into ``canvas`` with its feet centred at (``x``, ``foot``)."""
    scale = height / sprite.rgb.shape[0]
    w, h = max(1, round(sprite.rgb.shape[1] * scale)), max(1, round(height))
    bgr = np.asarray(cv2.resize(sprite.rgb, (w, h), interpolation=cv2.INTER_AREA), np.float32)
    alpha = np.asarray(cv2.resize(sprite.alpha, (w, h), interpolation=cv2.INTER_AREA), np.float32)
    blend(canvas, bgr, alpha, round(x - w / 2), round(foot - h))


def _harmonised(sprite: Sprite, plate: Image) -> Sprite:
    """``sprite`` brought half-way to the plate's brightness (sunlit people in an overcast street)."""
    weight = sprite.alpha > 0.5
    mean = float(sprite.rgb[weight].mean()) if weight.any() else 128.0
    gain = min(1.2, max(0.5, math.sqrt(float(plate.mean()) / max(mean, 1.0))))
    return Sprite(np.clip(sprite.rgb * gain, 0, 255), sprite.alpha)


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """How a licensed-scene clip varies from frame to frame."""

    fps: float
    seconds: float
    noise_levels: int
    exposure_change: float
    seed: int


class LiveScene:
    """The demo camera's frames: the photo as the camera sees it, with people walking across."""

    def __init__(self, camera: Camera, images: LicensedImages) -> None:
        photo = read_photo(images.scene)
        if (photo.shape[1], photo.shape[0]) != SCENE_SIZE:
            raise SceneError(
                f"{images.scene} is {photo.shape[1]}x{photo.shape[0]}, not the pinned leuvenB.jpg "
                f"({SCENE_SIZE[0]}x{SCENE_SIZE[1]}): run `gridwatch models fetch-test-assets --force`"
            )
        self.view = view_for(camera, photo.shape[1], photo.shape[0])
        self.plate = render_view(photo, self.view)
        self.sprites: Sequence[Sprite] = tuple(
            _harmonised(cut_sprite(passer, path), self.plate) for passer, path in images.passers_by
        )

    def walkers_at(self, t: float, seconds: float) -> list[tuple[int, float, float, float]]:
        """(sprite, x, foot row, height) in camera pixels of everyone in the picture at ``t`` seconds of a
        clip ``seconds`` long."""
        if not self.sprites:
            return []
        stretch = seconds / WALKS_CLIP_S
        out = []
        for walk in WALKS:
            progress = (t - walk.start_s * stretch) / (walk.duration_s * stretch)
            if not 0.0 <= progress <= 1.0:
                continue
            sprite = self.sprites[walk.sprite % len(self.sprites)]
            height = person_height(self.view, walk.foot_row)
            half = sprite.rgb.shape[1] * height / sprite.rgb.shape[0] / 2
            start, end = -half, self.view.width + half
            if walk.leftwards:
                start, end = end, start
            x = start + (end - start) * progress
            _x, foot = self.view.to_camera(0.0, walk.foot_row)
            foot -= abs(math.sin(progress * math.pi * 14)) * height * 0.015  # the step's bob
            out.append((walk.sprite % len(self.sprites), x, foot, height))
        return out

    def frame_at(self, t: float, settings: LiveSettings, rng: np.random.Generator) -> Image:
        """The picture at ``t`` seconds: people, exposure, noise."""
        canvas = self.plate.astype(np.float32)
        for index, x, foot, height in sorted(self.walkers_at(t, settings.seconds), key=lambda w: w[2]):
            _paste(canvas, self.sprites[index], height, x, foot)
        phase = 2 * math.pi * t / settings.seconds
        gain = 1 + settings.exposure_change * (math.sin(phase) + 0.5 * math.sin(3 * phase + 1.0))
        image = np.clip(canvas * gain, 0, 255).astype(np.uint8)
        return add_sensor_noise(image, rng, settings.noise_levels)

    def frames(self, settings: LiveSettings) -> Iterator[Image]:
        """The clip: ``seconds`` x ``fps`` frames."""
        rng = np.random.default_rng(settings.seed)
        count = max(1, round(settings.fps * settings.seconds))
        for index in range(count):
            yield self.frame_at(index / settings.fps, settings, rng)


def scene_for(camera: Camera, images: LicensedImages) -> LiveScene:
    """The live scene of ``camera``; SceneError when a photo is unreadable or not the pinned one."""
    try:
        return LiveScene(camera, images)
    except FootageReadError as error:
        raise SceneError(str(error)) from None
