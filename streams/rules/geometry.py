"""Plane geometry the rules need on boxes ``(x1, y1, x2, y2)`` in native-resolution pixels."""

from __future__ import annotations

from collections.abc import Sequence

from gridwatch.config.geometry import Point, signed_area

BoxXYXY = tuple[float, float, float, float]


def bottom_centre(box: BoxXYXY) -> Point:
    """Where a box stands on the ground: the middle of its bottom edge (as Frigate tests zones)."""
    return (box[0] + box[2]) / 2, box[3]


def box_area(box: BoxXYXY) -> float:
    """Area of a box in square pixels (0 for a degenerate box)."""
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def intersection_area(a: BoxXYXY, b: BoxXYXY) -> float:
    """Area two boxes share."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def iou(a: BoxXYXY, b: BoxXYXY) -> float:
    """Intersection over union of two boxes, 0..1."""
    shared = intersection_area(a, b)
    if shared == 0.0:
        return 0.0
    return shared / (box_area(a) + box_area(b) - shared)


def gap(a: BoxXYXY, b: BoxXYXY) -> float:
    """Shortest distance between two boxes; 0 when they touch or overlap."""
    dx = max(0.0, a[0] - b[2], b[0] - a[2])
    dy = max(0.0, a[1] - b[3], b[1] - a[3])
    return float((dx * dx + dy * dy) ** 0.5)


def scale_box(box: Sequence[float], sx: float, sy: float) -> BoxXYXY:
    """A box from frame pixels to native pixels (frames on the wire may be resized)."""
    return box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy


def polygon_area(polygon: Sequence[Point]) -> float:
    """Unsigned area of a simple polygon."""
    return abs(signed_area(polygon))


def box_polygon_area(box: BoxXYXY, polygon: Sequence[Point]) -> float:
    """Area of the part of a box inside a polygon (the polygon clipped to the box, Sutherland-Hodgman)."""
    x1, y1, x2, y2 = box
    points: list[Point] = list(polygon)
    for axis, limit, keep_above in ((0, x1, True), (0, x2, False), (1, y1, True), (1, y2, False)):
        if not points:
            return 0.0
        clipped: list[Point] = []
        for index, current in enumerate(points):
            previous = points[index - 1]
            current_in = (current[axis] >= limit) if keep_above else (current[axis] <= limit)
            previous_in = (previous[axis] >= limit) if keep_above else (previous[axis] <= limit)
            if current_in != previous_in:
                clipped.append(_cut(previous, current, axis, limit))
            if current_in:
                clipped.append(current)
        points = clipped
    return polygon_area(points) if len(points) >= 3 else 0.0


def _cut(p: Point, q: Point, axis: int, limit: float) -> Point:
    """Where segment p-q crosses the line ``coordinate[axis] == limit``."""
    t = (limit - p[axis]) / (q[axis] - p[axis])
    x, y = p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])
    return (limit, y) if axis == 0 else (x, limit)


def covered(box: BoxXYXY, others: Sequence[BoxXYXY], share: float) -> bool:
    """Whether any of ``others`` covers at least ``share`` of ``box``'s area."""
    area = box_area(box)
    return area > 0 and any(intersection_area(box, other) / area >= share for other in others)
