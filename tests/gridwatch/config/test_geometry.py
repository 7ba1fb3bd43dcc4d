"""Polygon validity and segment intersection, including the collinear cases."""

from __future__ import annotations

import pytest

from gridwatch.config.geometry import Point, point_in_polygon, polygon_problem, segments_intersect


@pytest.mark.parametrize(
    ("a", "b", "c", "d", "expected"),
    [
        ((0, 0), (10, 10), (0, 10), (10, 0), True),  # proper crossing
        ((0, 0), (10, 0), (5, 0), (15, 0), True),  # collinear overlap
        ((0, 0), (10, 0), (10, 0), (20, 0), True),  # collinear, touching at an end
        ((0, 0), (10, 0), (11, 0), (20, 0), False),  # collinear, apart
        ((0, 0), (10, 0), (5, 0), (5, 10), True),  # T: an end on the other segment
        ((0, 0), (10, 0), (5, 1), (5, 10), False),  # T that stops short
        ((0, 0), (10, 0), (0, 1), (10, 1), False),  # parallel
        ((0, 0), (10, 10), (20, 0), (11, 9), False),  # would cross if extended
    ],
)
def test_segments_intersect(a: Point, b: Point, c: Point, d: Point, expected: bool) -> None:
    assert segments_intersect(a, b, c, d) is expected
    assert segments_intersect(c, d, a, b) is expected  # symmetric
    assert segments_intersect(b, a, d, c) is expected  # direction does not matter


@pytest.mark.parametrize(
    ("points", "problem"),
    [
        ([(0, 0), (10, 0)], "needs at least 3 points, has 2"),
        ([(0, 0), (10, 0), (10, 10), (0, 0)], "the last point repeats the first"),  # GeoJSON habit
        ([(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)], "the last point repeats the first"),
        ([(0, 0), (10, 0), (10, 0), (0, 10)], "point 1 (10, 0) is repeated by the next point"),
        ([(0, 0), (10, 10), (10, 0), (0, 10)], "self-intersecting: edge 0"),  # bow tie
        ([(0, 0), (10, 0), (5, 0), (5, 5)], "edges 0 and 1 overlap along a line"),  # folds back
        ([(0, 0), (10, 0), (10, 10), (5, 0), (0, 10)], "self-intersecting"),  # vertex on an edge
        ([(0, 0), (5, 0), (10, 0)], "overlap along a line"),  # flat triangle folds back
        ([(0, 0), (10, 0), (10, 10), (0, 10)], None),
        ([(0, 0), (5, 0), (10, 0), (10, 10), (0, 10)], None),  # collinear vertex, going straight on
        ([(0, 0), (10, 0), (10, 10), (5, 3), (0, 10)], None),  # concave is fine
    ],
)
def test_polygon_problem(points: list[Point], problem: str | None) -> None:
    found = polygon_problem(points)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_point_in_polygon_even_odd() -> None:
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    assert point_in_polygon((5, 5), square)
    assert not point_in_polygon((15, 5), square)
    concave = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (5.0, 3.0), (0.0, 10.0)]
    assert not point_in_polygon((5, 8), concave)  # in the notch
    assert point_in_polygon((2, 2), concave)
