"""Plane geometry for zone polygons and grid boundaries: validity checks and point-in-polygon."""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]


def _cross(o: Point, a: Point, b: Point) -> float:
    """Twice the signed area of triangle o-a-b: > 0 left turn, < 0 right turn, 0 collinear."""
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    """Whether p, known to be collinear with a-b, lies within the segment's bounding box."""
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_intersect(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether closed segments a-b and c-d share at least one point (touching and collinear overlap count)."""
    d1, d2 = _sign(_cross(c, d, a)), _sign(_cross(c, d, b))
    d3, d4 = _sign(_cross(a, b, c)), _sign(_cross(a, b, d))
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True
    return (
        (d1 == 0 and _on_segment(a, c, d))
        or (d2 == 0 and _on_segment(b, c, d))
        or (d3 == 0 and _on_segment(c, a, b))
        or (d4 == 0 and _on_segment(d, a, b))
    )


def signed_area(points: Sequence[Point]) -> float:
    """Shoelace area: positive for counter-clockwise points (in y-up axes)."""
    total = 0.0
    for i, (x1, y1) in enumerate(points):
        x2, y2 = points[(i + 1) % len(points)]
        total += x1 * y2 - x2 * y1
    return total / 2


def fmt_point(point: Point) -> str:
    """``(2000, 50)`` rather than ``(2000.0, 50.0)``."""
    return "(" + ", ".join(f"{v:g}" for v in point) + ")"


def polygon_problem(points: Sequence[Point]) -> str | None:
    """What makes a closed polygon (given without repeating its first point) unusable, or None.

    Checks, in order: at least 3 points, no repeated consecutive point, no edge crossing or touching a
    non-adjacent edge, no adjacent edges folding back over each other, and a non-zero area.
    """
    n = len(points)
    if n < 3:
        return f"needs at least 3 points, has {n}"
    if n > 3 and points[0] == points[-1]:
        return "the last point repeats the first; polygons close by themselves, drop the last point"
    for i in range(n):
        if points[i] == points[(i + 1) % n]:
            return f"point {i} {fmt_point(points[i])} is repeated by the next point"
    edges = [(points[i], points[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            a, b = edges[i]
            c, d = edges[j]
            if j == i + 1 or (i == 0 and j == n - 1):
                # Adjacent edges share one vertex; they are only wrong when they run back over each other.
                shared, p, q = (b, a, d) if j == i + 1 else (a, b, c)
                same_line = _cross(shared, p, q) == 0
                folds_back = (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (
                    q[1] - shared[1]
                ) > 0
                if same_line and folds_back:
                    return f"self-intersecting: edges {i} and {j} overlap along a line"
            elif segments_intersect(a, b, c, d):
                return (
                    f"self-intersecting: edge {i} {fmt_point(a)}-{fmt_point(b)} "
                    f"crosses edge {j} {fmt_point(c)}-{fmt_point(d)}"
                )
    if signed_area(points) == 0:
        return "has no area (all points lie on one line)"
    return None


def point_in_polygon(point: Point, ring: Sequence[Point]) -> bool:
    """Even-odd rule: whether a point lies inside a ring (points on the boundary may go either way)."""
    x, y = point
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
