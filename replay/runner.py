"""One replay: footage as cameras of a candidate site, cached detections, the pure rules, scores.

``prepare`` gets each footage item's detections (from the cache, or by running the model once); ``run``
applies a site configuration and a confidence threshold to them with :class:`streams.rules.engine.SiteRules`
(the code the faust worker runs), and scores the incidents against labels. A sweep calls ``run`` once per
setting on the same prepared footage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gridwatch.config import Camera, RuleKind, SiteConfig
from gridwatch.messages import Frame, FrameDetections, Incident, ModelRef, StageTimings
from replay.cache import CachedFootage, DetectionCache
from replay.detect import Detector
from replay.errors import ReplayError
from replay.footage import FootageItem
from replay.labels import Label
from replay.sampling import sampled_frames
from replay.scoring import Breakdown, Episode, Truth, breakdown, episodes
from streams.rules.engine import SiteRules

#: Relative aspect-ratio difference above which footage does not fit a camera's zones.
ASPECT_TOLERANCE = 0.02
_NO_TIMINGS = StageTimings(decode=0, preprocess=0, infer=0, postprocess=0)

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class PreparedFootage:
    """One footage item with its detections and its time origin."""

    item: FootageItem
    camera: Camera
    cached: CachedFootage
    start: float  # epoch seconds of the first frame
    cache_hit: bool

    @property
    def interval_s(self) -> float:
        return self.camera.sample_interval_s

    @property
    def seconds(self) -> float:
        """Footage time replayed: first to last sampled frame plus one sampling interval."""
        frames = self.cached.frames
        if not frames:
            return 0.0
        return frames[-1].offset_s - frames[0].offset_s + self.interval_s

    @property
    def end(self) -> float:
        """Epoch time just after the last sampled frame (where open incidents are cut)."""
        last = self.cached.frames[-1].offset_s if self.cached.frames else 0.0
        return self.start + last + self.interval_s


@dataclass
class RunResult:
    """What one run of the rules gave."""

    site: SiteConfig
    conf: float
    incidents: list[Incident]
    episodes: list[Episode]
    truths: list[Truth]
    scores: Breakdown
    seconds_per_camera: dict[str, float]
    rules_seconds: float
    ignored_labels: list[str] = field(default_factory=list)


def camera_of(site: SiteConfig, camera_id: str) -> Camera:
    """The camera of the site with this id; ReplayError listing the site's cameras otherwise."""
    for camera in site.cameras:
        if camera.id == camera_id:
            return camera
    known = ", ".join(c.id for c in site.cameras)
    raise ReplayError(f"camera {camera_id!r} is not in the site configuration (cameras: {known})")


def check_shape(item: FootageItem, camera: Camera, size: tuple[int, int]) -> None:
    """ReplayError when footage of ``size`` does not have the camera's shape (unless ``stretch``)."""
    width, height = size
    aspect, native = width / height, camera.width / camera.height
    if abs(aspect - native) / native > ASPECT_TOLERANCE and not item.stretch:
        raise ReplayError(
            f"footage {item.path} is {width}x{height} (aspect {aspect:.3f}) but camera {camera.id} is "
            f"{camera.width}x{camera.height} (aspect {native:.3f}): its zones would not fit; replay it as a "
            "camera of that shape, or pass --stretch to scale x and y separately"
        )


def first_frame_size(item: FootageItem) -> tuple[int, int]:
    """(width, height) of the footage's first frame that decodes."""
    for frame in sampled_frames(item, 1.0, max_side=1 << 14):
        return int(frame.image.shape[1]), int(frame.image.shape[0])
    raise ReplayError(f"footage {item.path} has no frame that decodes")


def prepare(
    site: SiteConfig, items: list[FootageItem], detector: Detector, cache: DetectionCache | None
) -> list[PreparedFootage]:
    """Detections of every footage item (the model runs only on cache misses)."""
    prepared = []
    for item in items:
        item.check()
        camera = camera_of(site, item.camera)
        check_shape(item, camera, first_frame_size(item))  # before the model runs on footage that won't fit
        cached, hit = detector.detections(item, camera, cache)
        start = item.start_epoch()
        prepared.append(
            PreparedFootage(item, camera, cached, cached.meta.source_start if start is None else start, hit)
        )
    return prepared


def prepare_recorded(
    site: SiteConfig, recorded: dict[str, list[Frame]], detector: Detector, cache: DetectionCache | None
) -> list[PreparedFootage]:
    """Detections of frames read from gw.frames, one footage per camera (only cameras of ``site``)."""
    prepared = []
    for camera_id, frames in sorted(recorded.items()):
        if not frames:
            continue
        camera = camera_of(site, camera_id)
        cached, hit = detector.recorded_detections(camera, frames, cache)
        item = FootageItem(path=Path(f"gw.frames/{camera_id}"), camera=camera_id)
        prepared.append(PreparedFootage(item, camera, cached, cached.meta.source_start, hit))
    return prepared


def messages(footage: PreparedFootage, conf: float) -> list[FrameDetections]:
    """The detections messages of one footage item at confidence ``conf`` (static-foreground boxes are
    model-free and always kept)."""
    model = ModelRef(
        id=footage.cached.meta.key.model_id[:128], version=footage.cached.meta.key.model_version[:64]
    )
    out = []
    for seq, frame in enumerate(footage.cached.frames):
        kept = frame.detections.with_min_score(conf)
        out.append(
            FrameDetections.model_construct(
                camera_id=footage.camera.id,
                seq=seq,
                captured_at=footage.start + frame.offset_s,
                frame_width=frame.width,
                frame_height=frame.height,
                model=model,
                detections=kept,
                timings_ms=_NO_TIMINGS,
                evidence_url=None,
                schema_version="gw.detections/2",
            )
        )
    return out


def resolve_labels(
    labels: list[Label], site: SiteConfig, prepared: list[PreparedFootage]
) -> tuple[list[Truth], list[str]]:
    """Labels of the replayed cameras in epoch seconds, and the origins of labels of other cameras."""
    by_camera = {p.camera.id: p for p in prepared}
    truths, ignored = [], []
    for label in labels:
        footage = by_camera.get(label.camera)
        if footage is None:
            ignored.append(f"{label.origin} (camera {label.camera} not replayed)")
            continue
        camera = camera_of(site, label.camera)
        if label.zone not in {zone.id for zone in camera.zones}:
            zones = ", ".join(zone.id for zone in camera.zones) or "none"
            raise ReplayError(
                f"{label.origin}: camera {label.camera} has no zone {label.zone!r} (zones: {zones})"
            )
        start, end = label.resolved(footage.start)
        truths.append(
            Truth(label.camera, label.zone, label.rule, start, end, label.origin, label.box, label.point)
        )
    return truths, ignored


def run(
    site: SiteConfig,
    prepared: list[PreparedFootage],
    labels: list[Label],
    *,
    conf: float,
    clock: Clock = time.perf_counter,
) -> RunResult:
    """Apply ``site``'s rules to the prepared footage at confidence ``conf`` and score against ``labels``."""
    for footage in prepared:
        floor = footage.cached.meta.key.score_floor
        if conf < floor - 1e-9:
            raise ReplayError(
                f"conf {conf} is below the model's own threshold {floor}: the cache holds no detection "
                "under it (run the model with a lower threshold to explore lower values)"
            )
    started = clock()
    rules = SiteRules(site)
    incidents: list[Incident] = []
    for footage in prepared:
        incidents.extend(rules.replay(messages(footage, conf)))
    ended = clock()
    seconds = {p.camera.id: p.seconds for p in prepared}
    found = episodes(incidents, {p.camera.id: p.end for p in prepared})
    truths, ignored = resolve_labels(labels, site, prepared)
    zones: dict[str, list[tuple[str, RuleKind]]] = {}
    for footage in prepared:
        camera = camera_of(site, footage.camera.id)
        zones[camera.id] = [(zone.id, rule.kind) for zone in camera.zones for rule in zone.rules]
    return RunResult(
        site=site,
        conf=conf,
        incidents=incidents,
        episodes=found,
        truths=truths,
        scores=breakdown(found, truths, seconds, zones),
        seconds_per_camera=seconds,
        rules_seconds=ended - started,
        ignored_labels=ignored,
    )
