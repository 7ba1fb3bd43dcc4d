"""Zone tiles: square crops of a frame that cover a camera's zones at the model's own resolution.

A street camera's zones (a sidewalk strip, a shop front) cover a fraction of its frame, and what the rules
look for in them (a parked e-bike 30-60 px tall in 1080p) nearly vanishes when the whole frame is squeezed
into a 300-512 px model input. A :class:`TilePlan` lists crops of side ``input_size / tile_scale`` frame
pixels that together cover every zone (grown by ``headroom`` upwards, where standing objects reach), with
``tile_overlap`` between neighbours; at most ``max_tiles`` (the scale drops until they fit); where they
magnify, a coarse level at scale 1 too (``coarse_tiles``). Boxes found in the crops are mapped back to the
frame and merged (:func:`merge_views`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors.boxes import box_iou, box_overlap_of_smaller
from gridwatch.config import CameraDetection
from gridwatch.detections import Detections

Rect = tuple[int, int, int, int]
"""A crop ``(x1, y1, x2, y2)`` in frame pixels, end-exclusive."""

#: Boxes of one kind overlapping this much (IoU) are one object seen in two views.
MERGE_IOU = 0.5
#: ... or when this share of the smaller box lies inside the larger (an object cut by a tile's edge).
MERGE_INSIDE = 0.7
#: ... or when this share of the smaller lies inside the larger, whether cut or not (one object in two views).
MERGE_NESTED = 0.9
#: A box within this many pixels of a crop edge that is not a frame edge was cut off there.
EDGE_PX = 2.0


@dataclass(frozen=True, slots=True)
class TilePlan:
    """The views of one frame size of one camera: crops in frame pixels (the whole frame is one view), and
    the model each runs (None: the worker's own)."""

    width: int
    height: int
    views: tuple[Rect, ...]
    models: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        if not self.models:
            object.__setattr__(self, "models", (None,) * len(self.views))
        if len(self.models) != len(self.views):
            raise ValueError(f"{len(self.models)} models for {len(self.views)} views")

    @property
    def whole_frame(self) -> Rect:
        """The view that is the whole frame."""
        return (0, 0, self.width, self.height)


def _spans(start: float, end: float, side: int, overlap: float, limit: int) -> list[tuple[int, int]]:
    """Intervals of length ``side`` covering [start, end) inside [0, limit), sharing ``overlap`` of a side."""
    side = min(side, limit)
    low, high = max(0, math.floor(start)), min(limit, math.ceil(end))
    length = high - low
    if length <= side:
        first = min(max(round((low + high - side) / 2), 0), limit - side)
        return [(first, first + side)]
    count = math.ceil((length - side) / (side * (1 - overlap))) + 1
    stride = (length - side) / (count - 1)
    firsts = [min(low + math.floor(index * stride), limit - side) for index in range(count - 1)]
    firsts.append(high - side)  # the last tile ends at the region's end
    return [(first, first + side) for first in firsts]


def zone_regions(
    polygons: Sequence[NDArray[np.float32]], width: int, height: int, headroom: float
) -> list[tuple[float, float, float, float]]:
    """Each zone's bounding box in frame pixels, grown upwards by ``headroom`` of the frame height (and
    1% of the frame on the other sides), clipped to the frame; overlapping regions are merged."""
    return [region for region, _model in _regions([(p, None) for p in polygons], width, height, headroom)]


def _regions(
    zones: Sequence[tuple[NDArray[np.float32], str | None]], width: int, height: int, headroom: float
) -> list[tuple[tuple[float, float, float, float], str | None]]:
    """Each zone's grown bounding box with its model; overlapping regions of the same model are merged."""
    regions: list[tuple[list[float], str | None]] = []
    margin_x, margin_y = 0.01 * width, 0.01 * height
    for polygon, model in zones:
        points = np.asarray(polygon, np.float32).reshape(-1, 2)
        x1, y1 = points.min(axis=0)
        x2, y2 = points.max(axis=0)
        box = [
            max(0.0, float(x1) - margin_x),
            max(0.0, float(y1) - headroom * height),
            min(float(width), float(x2) + margin_x),
            min(float(height), float(y2) + margin_y),
        ]
        regions.append((box, model))
    merged = True
    while merged:
        merged = False
        for i in range(len(regions)):
            for j in range(i + 1, len(regions)):
                (a, model_a), (b, model_b) = regions[i], regions[j]
                if model_a == model_b and a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                    box = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    regions[i] = (box, model_a)
                    del regions[j]
                    merged = True
                    break
            if merged:
                break
    return [((r[0], r[1], r[2], r[3]), model) for r, model in regions if r[2] > r[0] and r[3] > r[1]]


def plan_tiles(
    zones: Sequence[tuple[NDArray[np.float32], str | None]],
    width: int,
    height: int,
    input_size: Callable[[str | None], int],
    settings: CameraDetection,
) -> TilePlan:
    """The views of a ``width`` x ``height`` frame whose zones are (polygon in frame pixels, model) pairs;
    each tile is sized for its model's input (``input_size(model)``)."""
    whole = (0, 0, width, height)
    camera_model = settings.model
    if not settings.zone_tiles or not zones:
        return TilePlan(width, height, (whole,), (camera_model,))
    tiles: list[Rect] = []
    models: list[str | None] = []
    by_model: dict[str | None, list[tuple[float, float, float, float]]] = {}
    for region, model in _regions(zones, width, height, settings.headroom):
        by_model.setdefault(model, []).append(region)
    for model, regions in by_model.items():
        for tile in _tiles(regions, width, height, input_size(model), settings):
            if (tile, model) not in zip(tiles, models, strict=True):
                tiles.append(tile)
                models.append(model)
    if _coarse(settings, width):
        coarse = settings.model_copy(update={"tile_scale": 1.0})
        extra = [
            (tile, model)
            for model, regions in by_model.items()
            for tile in _tiles(regions, width, height, input_size(model), coarse)
            if (tile, model) not in zip(tiles, models, strict=True)
        ]
        tiles.extend(tile for tile, _model in extra)
        models.extend(model for _tile, model in extra)
    if tiles == [whole] or (settings.full_frame and whole not in tiles):
        views = [whole] if tiles != [whole] else []
        view_models: list[str | None] = [camera_model] if views else []
        return TilePlan(width, height, (*views, *tiles), (*view_models, *models))
    return TilePlan(width, height, tuple(tiles), tuple(models))


#: With tiles magnifying this much or more, a coarse level of tiles at scale 1 covers the zones too.
COARSE_FROM_SCALE = 1.5


def _coarse(settings: CameraDetection, width: int) -> bool:
    """Whether a ``width`` px frame's zones get a coarse level of tiles at scale 1 besides the camera's own:
    where those magnify by COARSE_FROM_SCALE or more and ``coarse_tiles`` is on. Objects larger than a
    magnified tile yet small in the whole frame (a bicycle near the camera) are then seen whole by one of
    its tiles. It comes on top of ``max_tiles`` (a few tiles: scale 1 is the model input's own size)."""
    return settings.coarse_tiles and settings.scale_for(width) >= COARSE_FROM_SCALE


def _tiles(
    regions: Sequence[tuple[float, float, float, float]],
    width: int,
    height: int,
    input_size: int,
    settings: CameraDetection,
) -> list[Rect]:
    """Square tiles covering ``regions``, at most ``max_tiles`` (a lower scale until they fit)."""
    side = max(16, round(input_size / settings.scale_for(width)))
    while True:
        tiles: list[Rect] = []
        for x1, y1, x2, y2 in regions:
            for left, right in _spans(x1, x2, side, settings.tile_overlap, width):
                for top, bottom in _spans(y1, y2, side, settings.tile_overlap, height):
                    tile = (left, top, right, bottom)
                    if tile not in tiles:
                        tiles.append(tile)
        if len(tiles) <= settings.max_tiles or side >= max(width, height):
            break
        side = math.ceil(side * 1.25)  # a lower scale: fewer, larger tiles
    if side >= max(width, height) and len(tiles) == 1:
        tiles = [(0, 0, width, height)]  # the zones need the whole frame anyway
    return tiles


def zoom_views(
    regions: Sequence[tuple[float, float, float, float]],
    plan: TilePlan,
    input_size: Callable[[str | None], int],
    settings: CameraDetection,
) -> TilePlan:
    """``plan`` with a square view around each of the first ``settings.zoom_static`` ``regions`` that lies in
    a zone tile (a static region: something stopped there): ``zoom`` times the region's larger side, at least
    a sixth of the model input, so the model sees the region magnified."""
    if settings.zoom_static == 0 or not regions:
        return plan
    whole = plan.whole_frame
    targets = [(v, m) for v, m in zip(plan.views, plan.models, strict=True) if v != whole]
    targets = targets or [(whole, plan.models[0])]
    views, models = list(plan.views), list(plan.models)
    for x1, y1, x2, y2 in regions:
        if len(views) - len(plan.views) >= settings.zoom_static:
            break
        centre_x, centre_y = (x1 + x2) / 2, (y1 + y2) / 2
        inside = [m for (a, b, c, d), m in targets if a <= centre_x < c and b <= centre_y < d]
        if not inside:
            continue
        model = inside[0]
        size = input_size(model)
        side = min(
            max(round(max(x2 - x1, y2 - y1) * settings.zoom), max(16, size // 6)),
            size,
            plan.width,
            plan.height,
        )
        left = min(max(round(centre_x - side / 2), 0), plan.width - side)
        top = min(max(round(centre_y - side / 2), 0), plan.height - side)
        view = (left, top, left + side, top + side)
        if view not in views:
            views.append(view)
            models.append(model)
    return TilePlan(plan.width, plan.height, tuple(views), tuple(models))


def _cut_off(xyxy: NDArray[np.float32], view: Rect, width: int, height: int) -> NDArray[np.bool_]:
    """True for boxes touching an edge of ``view`` that is not an edge of the frame."""
    x1, y1, x2, y2 = view
    cut = np.zeros(len(xyxy), bool)
    if x1 > 0:
        cut |= xyxy[:, 0] <= x1 + EDGE_PX
    if y1 > 0:
        cut |= xyxy[:, 1] <= y1 + EDGE_PX
    if x2 < width:
        cut |= xyxy[:, 2] >= x2 - EDGE_PX
    if y2 < height:
        cut |= xyxy[:, 3] >= y2 - EDGE_PX
    return cut


def merge_views(plan: TilePlan, found: Sequence[Detections]) -> Detections:
    """One frame's detections from those of each view (in view pixels, in ``plan.views`` order).

    Boxes move to frame pixels; where views overlap, one object seen twice (same kind, IoU >= 0.5, or a box
    cut off by a crop edge with 70% of it inside another) is kept once: a whole box before one cut off by a
    crop edge, then the higher score.
    """
    if len(found) != len(plan.views):
        raise ValueError(f"{len(found)} results for {len(plan.views)} views")
    if len(found) == 1 and plan.views[0] == plan.whole_frame:
        return found[0]
    parts: list[Detections] = []
    cut_parts: list[NDArray[np.bool_]] = []
    for view, detections in zip(plan.views, found, strict=True):
        x1, y1 = view[0], view[1]
        moved = detections if (x1, y1) == (0, 0) else detections.shifted(x1, y1)
        parts.append(moved)
        cut_parts.append(_cut_off(moved.xyxy, view, plan.width, plan.height))
    merged = Detections.merge(parts)
    if len(merged) < 2:
        return merged
    cut = np.concatenate(cut_parts)
    order = np.lexsort((-merged.score, cut))  # whole boxes first, then by score
    boxes = merged.xyxy[order]
    kinds = [merged.kind[i] for i in order.tolist()]
    iou = box_iou(boxes, boxes)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    # A box cut by a crop edge lying mostly inside another is that object's part; two whole boxes are two
    # objects unless they overlap as NMS would merge them (a row of parked bikes stays a row).
    ranked_cut = cut[order]
    smaller_is_cut = np.where(areas[:, None] <= areas[None, :], ranked_cut[:, None], ranked_cut[None, :])
    inside = box_overlap_of_smaller(boxes, boxes)
    same = (iou >= MERGE_IOU) | ((inside >= MERGE_INSIDE) & smaller_is_cut) | (inside >= MERGE_NESTED)
    kept: list[int] = []
    for rank in range(len(order)):
        if any(kinds[k] == kinds[rank] and same[k, rank] for k in kept):
            continue
        kept.append(rank)
    return merged.select(np.sort(order[kept]))


def merge_each(plans: Sequence[TilePlan], found: Sequence[Detections]) -> list[Detections]:
    """Each frame's detections (:func:`merge_views`) from those of all frames' views, in ``plans`` order."""
    merged, offset = [], 0
    for plan in plans:
        merged.append(merge_views(plan, found[offset : offset + len(plan.views)]))
        offset += len(plan.views)
    if offset != len(found):
        raise ValueError(f"{len(found)} results for {offset} views")
    return merged
