"""Where can this camera see a parked bike? Reference objects are pasted on a grid over every zone, at the
camera's perspective scale, over its own recorded background (passers-by and all), and run through the
detector exactly as replay runs footage; each grid point is found or missed.

The result is per-zone detection recall (JSON) and a heatmap over the plate: green where the detector found
the object, red where it missed it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from gridwatch.config import Camera, Zone
from gridwatch.config.geometry import point_in_polygon
from replay.compose.background import Background
from replay.compose.composer import Canvas
from replay.compose.cutouts import Cutout
from replay.compose.library import CutoutLibrary
from replay.compose.perspective import PerspectiveFit
from replay.compose.render import Draw, harmonised, make_sprite, render
from replay.compose.sizes import kind_of, object_class
from replay.compose.writer import FrameFolderWriter
from replay.detect import Detector
from replay.errors import ReplayError
from replay.footage import FootageItem
from replay.progress import NoProgress, ProgressBar
from replay.scoring import MIN_BOX_OVERLAP, box_overlap

BoxXYXY = tuple[float, float, float, float]
ProgressFactory = Callable[[str, int | None], ProgressBar]
#: Grid spacing in object sizes (across) and object heights (down).
ACROSS, DOWN = 1.4, 0.7
#: Start of the probe frames' clock (any fixed epoch: the frames are detected, not replayed by the rules).
EPOCH = 1_700_000_000.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointOut(_Model):
    """One grid point."""

    foot: tuple[float, float] = Field(description="Foot point [x, y], native pixels.")
    box: tuple[float, float, float, float] = Field(description="The reference object's box there, native.")
    trials: int = Field(description="Times an object was pasted here (one per round).")
    found: int = Field(description="Times the detector found it.")


class ZoneOut(_Model):
    """Recall in one zone."""

    zone: str = Field(description="Zone id.")
    trials: int = Field(description="Objects pasted in the zone (points x rounds).")
    found: int = Field(description="Of those, found by the detector.")
    recall: float | None = Field(description="found / trials; null when no point fits the zone.")
    points: list[PointOut] = Field(description="Every grid point of the zone.")


class ProbeReport(_Model):
    """Per-zone detection recall of reference objects on one camera."""

    camera: str = Field(description="Camera id.")
    object: str = Field(description="Class of the reference objects.")
    kind: str = Field(description="Object kind a detection must have to count.")
    conf: float = Field(description="Minimum detection score that counts.")
    rounds: int = Field(description="Passes over the grid, each with other cut-outs and background moments.")
    cutouts: list[str] = Field(description="Cut-out ids used.")
    perspective: PerspectiveFit = Field(description="Scale used.")
    zones: list[ZoneOut] = Field(description="Recall per zone.")
    heatmap: str = Field(description="The heatmap picture.")


@dataclass
class _Trial:
    zone: str
    point: int  # index into the zone's points
    foot: tuple[float, float]
    box: BoxXYXY
    cutout: Cutout
    frame: int


def grid(
    zone: Zone, camera: Camera, perspective: PerspectiveFit, ratio: float, aspect: float
) -> list[BoxXYXY]:
    """Boxes of a reference object (height ``ratio`` x a person's, width ``aspect`` x its height) on a grid
    over ``zone``: rows DOWN object heights apart, points ACROSS object widths apart; a point counts where
    the object's base stands in the zone and the whole object is in the picture."""
    ys = [p[1] for p in zone.polygon]
    xs = [p[0] for p in zone.polygon]
    boxes: list[BoxXYXY] = []
    y = max(ys)
    while y >= min(ys):
        height = ratio * perspective.person_height(y)
        width = height * aspect
        x = min(xs) + width / 2
        while x <= max(xs):
            box = (x - width / 2, y - height, x + width / 2, y)
            base = [(x + dx * width, y) for dx in (-0.3, 0.0, 0.3)]
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= camera.width and box[3] <= camera.height
            if inside and all(point_in_polygon(p, zone.polygon) for p in base):
                boxes.append(box)
            x += ACROSS * width
        y -= max(2.0, DOWN * height)
    return boxes


def _overlap(a: BoxXYXY, b: BoxXYXY, margin: float = 0.15) -> bool:
    dx, dy = (a[2] - a[0]) * margin, (a[3] - a[1]) * margin
    return min(a[2] + dx, b[2]) > max(a[0] - dx, b[0]) and min(a[3] + dy, b[3]) > max(a[1] - dy, b[1])


def _frames_for(boxes: list[BoxXYXY]) -> list[int]:
    """A frame number per box such that no two boxes of a frame overlap (greedy)."""
    frames: list[list[BoxXYXY]] = []
    out = []
    for box in boxes:
        for n, taken in enumerate(frames):
            if not any(_overlap(box, other) for other in taken):
                taken.append(box)
                out.append(n)
                break
        else:
            frames.append([box])
            out.append(len(frames) - 1)
    return out


def heatmap(
    background: Background, camera: Camera, canvas: Canvas, report_zones: list[ZoneOut]
) -> np.ndarray:
    """The plate with a disc at each grid point (the middle of the object's box) coloured red (missed) to
    green (found), and each zone's outline and recall."""
    image = background.plate.copy()
    overlay = image.copy()
    thick = max(1, round(max(canvas.size) / 700))
    for zone in report_zones:
        for point in zone.points:
            share = point.found / point.trials if point.trials else 0.0
            colour = (40, int(200 * share + 30), int(220 * (1 - share) + 30))
            x1, y1 = canvas.point((point.box[0], point.box[1]))
            x2, y2 = canvas.point((point.box[2], point.box[3]))
            radius = max(2, round(0.4 * min(x2 - x1, y2 - y1)))
            cv2.circle(overlay, (round((x1 + x2) / 2), round((y1 + y2) / 2)), radius, colour, -1)
    image = np.asarray(cv2.addWeighted(overlay, 0.55, image, 0.45, 0), np.uint8)
    for zone in report_zones:
        polygon = np.array([canvas.point(p) for p in camera.zone(zone.zone).polygon], np.int32)
        cv2.polylines(image, [polygon], True, (255, 255, 255), thick)
        text = (
            f"{zone.zone} {zone.recall:.2f} ({zone.found}/{zone.trials})"
            if zone.recall is not None
            else zone.zone
        )
        anchor = (int(polygon[:, 0].min()), max(12, int(polygon[:, 1].min()) - 4))
        cv2.putText(image, text, anchor, cv2.FONT_HERSHEY_SIMPLEX, 0.5 * thick, (0, 0, 0), thick + 2)
        cv2.putText(image, text, anchor, cv2.FONT_HERSHEY_SIMPLEX, 0.5 * thick, (255, 255, 255), thick)
    return np.asarray(image, np.uint8)


def probe(
    camera: Camera,
    background: Background,
    library: CutoutLibrary,
    perspective: PerspectiveFit,
    detector: Detector,
    out: Path,
    *,
    object_name: str = "bicycle",
    rounds: int = 2,
    seed: int = 0,
    conf: float | None = None,
    progress: ProgressFactory | None = None,
) -> ProbeReport:
    """Paste reference objects on a grid over every zone, detect, and write ``probe.json`` and
    ``heatmap.png`` into ``out``."""
    make_bar = progress or (lambda _label, _total: NoProgress())
    cutouts = library.of_class(object_name)
    if not cutouts:
        raise ReplayError(f"no cut-out of class {object_name!r} in the library")
    known = object_class(object_name)
    kind = kind_of(object_name)
    ratio = known.height_ratio if known is not None else 0.6
    rng = np.random.default_rng(seed)
    canvas = Canvas((camera.width, camera.height), background.size)
    if not camera.zones:
        raise ReplayError(f"camera {camera.id} has no zone to probe")
    aspect = float(np.median([c.width / c.height for c in cutouts]))
    zone_boxes = {z.id: grid(z, camera, perspective, ratio, aspect) for z in camera.zones}
    trials: list[_Trial] = []
    frame_base = 0
    used: set[str] = set()
    for _round in range(rounds):
        flat = [(zid, i, b) for zid, boxes in zone_boxes.items() for i, b in enumerate(boxes)]
        numbers = _frames_for([b for _z, _i, b in flat])
        for (zid, i, box), n in zip(flat, numbers, strict=True):
            cutout = cutouts[int(rng.integers(len(cutouts)))]
            used.add(cutout.id)
            foot = ((box[0] + box[2]) / 2, box[3])
            trials.append(_Trial(zid, i, foot, box, cutout, frame_base + n))
        frame_base += max(numbers, default=-1) + 1
    with tempfile.TemporaryDirectory(prefix="gw-probe-") as scratch:
        folder = Path(scratch) / "frames"
        writer = FrameFolderWriter(folder)
        bar = make_bar(f"probe {camera.id}: paste", frame_base)
        for number in range(frame_base):
            draws = []
            for trial in (t for t in trials if t.frame == number):
                height = (trial.box[3] - trial.box[1]) * canvas.sy
                sprite = make_sprite(trial.cutout, height)
                a = canvas.point((trial.box[0], trial.box[1]))
                b = canvas.point((trial.box[2], trial.box[3]))
                sprite = harmonised(
                    sprite, background.plate, (round(a[0]), round(a[1]), round(b[0]), round(b[1]))
                )
                draws.append(Draw(sprite, canvas.point(trial.foot)))
            moment = background.at(float(rng.uniform(0, background.period_s)))
            writer.write(render(moment, draws, rng), EPOCH + number)
            bar.advance()
        bar.finish()
        looking = camera.model_copy(update={"sample_fps": 1.0})  # zones kept: detect as live (zone tiles)
        cached, _hit = detector.detections(FootageItem(path=folder, camera=camera.id), looking, None)
    floor = cached.meta.key.score_floor
    threshold = floor if conf is None else conf
    found_by_frame: dict[int, list[BoxXYXY]] = {}
    for frame in cached.frames:
        index = round(frame.offset_s)
        sx, sy = camera.width / frame.width, camera.height / frame.height
        seen = frame.detections.of_kinds(kind).with_min_score(threshold).scaled(sx, sy)
        found_by_frame[index] = [(b[0], b[1], b[2], b[3]) for b in seen.boxes()]
    zones_out = []
    for zone in camera.zones:
        points = []
        for i, box in enumerate(zone_boxes[zone.id]):
            mine = [t for t in trials if t.zone == zone.id and t.point == i]
            found = sum(
                any(box_overlap(d, t.box) >= MIN_BOX_OVERLAP for d in found_by_frame.get(t.frame, []))
                for t in mine
            )
            points.append(
                PointOut(
                    foot=((box[0] + box[2]) / 2, box[3]),
                    box=(round(box[0], 1), round(box[1], 1), round(box[2], 1), round(box[3], 1)),
                    trials=len(mine),
                    found=found,
                )
            )
        total, hits = sum(p.trials for p in points), sum(p.found for p in points)
        zones_out.append(
            ZoneOut(
                zone=zone.id, trials=total, found=hits, recall=hits / total if total else None, points=points
            )
        )
    out.mkdir(parents=True, exist_ok=True)
    picture = out / "heatmap.png"
    cv2.imwrite(str(picture), heatmap(background, camera, canvas, zones_out))
    report = ProbeReport(
        camera=camera.id,
        object=object_name,
        kind=kind.value,
        conf=threshold,
        rounds=rounds,
        cutouts=sorted(used),
        perspective=perspective,
        zones=zones_out,
        heatmap=str(picture),
    )
    (out / "probe.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return report
