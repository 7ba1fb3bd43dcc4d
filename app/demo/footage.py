"""Generating the planned footage: the licensed live scene, still scenes, passers-by, synthetic streets; as
clips or image folders. Footage made from the licensed sample photos gets a ``SOURCES.md`` beside it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.demo.casting import FootageJob, FootagePlan, Scene
from app.demo.encode import write_clip, write_folder
from app.demo.frames import (
    PHOTO_ASPECT,
    add_sensor_noise,
    letterbox,
    read_photo,
    restore_aspect,
    video_frames,
)
from app.demo.licensed import SOURCES_FILE, sources_text
from app.demo.live_scene import LiveSettings, scene_for
from ingest.clips import ClipSpec, background, render
from ingest.sources.base import Image

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class FootageOptions:
    """How demo footage is made (defaults suit `make run` on a small machine)."""

    #: Frames per second of generated clips: enough for sampling at up to 1 fps, cheap to decode (ingest
    #: decodes every frame of a file camera).
    clip_fps: int = 2
    #: Seconds between key frames.
    gop_s: float = 2.0
    #: Length of a still-scene or synthetic clip (it loops).
    still_seconds: float = 10.0
    #: Longest passers-by clip (it loops).
    passers_by_seconds: float = 12.0
    #: Grey levels of sensor noise on a still scene: looks live, stays under the motion gate's threshold.
    noise_levels: int = 3
    #: Length of the licensed live scene's clip (it loops): three people cross it in that time.
    live_seconds: float = 40.0
    #: Largest relative brightness change of the live scene's slow exposure drift.
    exposure_change: float = 0.03
    #: Images written into an image folder (one per sampling interval; `gridwatch run` plays them round).
    folder_images: int = 5
    seed: int = 7

    def __post_init__(self) -> None:
        lengths = (self.still_seconds, self.passers_by_seconds, self.live_seconds)
        if self.clip_fps < 1 or self.gop_s <= 0 or min(lengths) <= 0:
            raise ValueError(
                "clip_fps, gop_s, still_seconds, passers_by_seconds and live_seconds must be positive"
            )
        if self.noise_levels < 0 or self.folder_images < 1:
            raise ValueError("noise_levels must be >= 0 and folder_images >= 1")
        if not 0 <= self.exposure_change < 0.5:
            raise ValueError(f"exposure_change must be in [0, 0.5), got {self.exposure_change}")

    def live(self, fps: float, seconds: float) -> LiveSettings:
        """The live scene's settings for a clip of ``seconds`` at ``fps``."""
        return LiveSettings(
            fps=fps,
            seconds=seconds,
            noise_levels=self.noise_levels,
            exposure_change=self.exposure_change,
            seed=self.seed,
        )


def still_frames(
    photo: Path, width: int, height: int, count: int, options: FootageOptions
) -> Iterator[Image]:
    """``count`` noisy frames of a photo, its aspect restored, letterboxed into ``width`` x ``height``."""
    base = letterbox(restore_aspect(read_photo(photo), PHOTO_ASPECT), width, height)
    rng = np.random.default_rng(options.seed)
    for _ in range(count):
        yield add_sensor_noise(base, rng, options.noise_levels)


def passers_by_frames(video: Path, width: int, height: int, fps: float, seconds: float) -> Iterator[Image]:
    """The video resampled to ``fps`` and letterboxed into ``width`` x ``height``."""
    for image in video_frames(video, fps, seconds):
        yield letterbox(image, width, height)


def synthetic_frames(width: int, height: int, fps: int, count: int, seed: int) -> Iterator[Image]:
    """A quiet synthetic street (ingest.clips' background with sensor noise): no object a model knows, and
    nothing that moves, so the motion gate holds its samples back but for keepalives and the detector's time
    goes to the cameras that see something (on a 2-core machine 30 moving synthetic cameras left the detector
    minutes behind the demo camera)."""
    spec = ClipSpec(
        width=width,
        height=height,
        fps=fps,
        seconds=count / fps,
        moving=False,
        clock_overlay=False,
        noise=2,
        seed=seed,
    )
    base = background(width, height, seed)
    rng = np.random.default_rng(seed)
    for index in range(count):
        yield render(spec, base, index, rng)


def _clip_frames(job: FootageJob, plan: FootagePlan, options: FootageOptions) -> Iterator[Image]:
    width, height = job.camera.resolution
    still_count = max(1, round(options.clip_fps * options.still_seconds))
    if job.scene is Scene.LICENSED_BIKES and plan.licensed is not None:
        scene = scene_for(job.camera, plan.licensed)
        return scene.frames(options.live(options.clip_fps, options.live_seconds))
    if job.scene is Scene.PARKED_BIKES and job.source is not None:
        return still_frames(job.source, width, height, still_count, options)
    if job.scene is Scene.PASSERS_BY and job.source is not None:
        return passers_by_frames(job.source, width, height, options.clip_fps, options.passers_by_seconds)
    return synthetic_frames(width, height, options.clip_fps, still_count, options.seed)


def _folder_frames(
    job: FootageJob, plan: FootagePlan, options: FootageOptions, now: float
) -> Iterator[tuple[float, Image]]:
    """Images at the camera's sampling interval, the last one captured ``now``."""
    width, height = job.camera.resolution
    interval = job.camera.sample_interval_s
    count = options.folder_images
    images: Iterator[Image]
    if job.scene is Scene.LICENSED_BIKES and plan.licensed is not None:
        scene = scene_for(job.camera, plan.licensed)
        images = scene.frames(options.live(1 / interval, count * interval))
    elif job.scene is Scene.PASSERS_BY and job.source is not None:
        images = passers_by_frames(job.source, width, height, 1.0, float(count))
    elif job.scene is Scene.PARKED_BIKES and job.source is not None:
        images = still_frames(job.source, width, height, count, options)
    else:
        images = synthetic_frames(width, height, 1, count, options.seed)
    for index, image in enumerate(images):
        yield now - (count - 1 - index) * interval, image


def make_footage(
    plan: FootagePlan,
    options: FootageOptions | None = None,
    *,
    say: Say = print,
    wall: Callable[[], float] = time.time,
) -> int:
    """Generate every job of ``plan``; returns how many were written."""
    options = options or FootageOptions()
    for job in plan.jobs:
        started = time.monotonic()
        width, height = job.camera.resolution
        if job.is_folder:
            assert job.folder_pattern is not None
            frames = _folder_frames(job, plan, options, wall())
            count = write_folder(job.target, frames, pattern=job.folder_pattern)
            what = f"{count} images"
        else:
            count = write_clip(
                job.target,
                _clip_frames(job, plan, options),
                width=width,
                height=height,
                fps=options.clip_fps,
                gop_s=options.gop_s,
            )
            what = f"{count / options.clip_fps:.0f} s clip"
        origin = f" from {job.source.name}" if job.source is not None else ""
        say(
            f"  {job.camera.id}  {job.scene.value}{origin} -> {job.target} "
            f"({width}x{height}, {what}, {time.monotonic() - started:.1f} s)"
        )
    for folder in write_sources(plan):
        say(f"  sources and licences of the sample photos -> {folder / SOURCES_FILE}")
    return len(plan.jobs)


def write_sources(plan: FootagePlan) -> list[Path]:
    """Write ``SOURCES.md`` into each folder that received footage made from the licensed sample photos
    (naming its cameras); returns those folders."""
    if plan.licensed is None:
        return []
    by_folder: dict[Path, list[str]] = {}
    for job in plan.jobs:
        if job.scene is Scene.LICENSED_BIKES:
            folder = job.target.parent
            by_folder.setdefault(folder, []).append(job.camera.id)
    for folder, cameras in by_folder.items():
        (folder / SOURCES_FILE).write_text(sources_text(plan.licensed.used, cameras), encoding="utf-8")
    return list(by_folder)
