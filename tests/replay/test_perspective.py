"""The perspective fit: a known line of person height against foot row is recovered from synthetic person
boxes despite outliers; too few boxes, a narrow band or a line going the wrong way are refused; the manual
form reads two rows."""

from __future__ import annotations

import numpy as np
import pytest

from replay.compose.perspective import (
    MIN_PERSONS,
    PerspectiveError,
    fit_perspective,
    manual_perspective,
    standing,
)

SIZE = (1920, 1080)
SLOPE, INTERCEPT = 0.25, 30.0  # 105 px tall at row 300, 270 px at row 960


def _person(x: float, foot: float, rng: np.random.Generator, noise: float = 3.0) -> tuple[float, ...]:
    height = SLOPE * foot + INTERCEPT + float(rng.normal(0, noise))
    width = height / 2.6
    return (x - width / 2, foot - height, x + width / 2, foot)


def test_the_fit_recovers_a_known_line_despite_outliers() -> None:
    rng = np.random.default_rng(4)
    boxes = [_person(float(rng.uniform(100, 1800)), float(rng.uniform(300, 1000)), rng) for _ in range(40)]
    # Wrong boxes: a sitting person (half height), a child, a box merging two people side by side (wide,
    # dropped by shape) and a person cut by the bottom edge (dropped).
    boxes += [
        (500, 700 - 0.5 * (SLOPE * 700 + INTERCEPT), 560, 700),
        (800, 800 - 0.55 * (SLOPE * 800 + INTERCEPT), 850, 800),
        (1000, 600, 1200, 700),
        (300, 900, 380, 1080),
    ]
    fit = fit_perspective([tuple(b) for b in boxes], SIZE, seed=1)  # type: ignore[misc]
    assert fit.method == "ransac"
    assert fit.slope == pytest.approx(SLOPE, rel=0.08)
    assert fit.person_height(300) == pytest.approx(SLOPE * 300 + INTERCEPT, rel=0.05)
    assert fit.person_height(960) == pytest.approx(SLOPE * 960 + INTERCEPT, rel=0.05)
    assert fit.persons == 42  # the wide box and the edge-cut one are not standing persons
    assert 38 <= fit.inliers <= 41  # the two short ones are outliers
    assert fit.height_of("bicycle", 960) == pytest.approx(0.6 * fit.person_height(960))


def test_too_few_persons_are_refused_with_the_manual_way_out() -> None:
    rng = np.random.default_rng(5)
    boxes = [_person(900, float(foot), rng) for foot in np.linspace(300, 1000, MIN_PERSONS - 1)]
    with pytest.raises(PerspectiveError, match=r"only 7 standing person boxes .* --perspective"):
        fit_perspective(boxes, SIZE)  # type: ignore[arg-type]


def test_persons_in_a_narrow_band_are_refused() -> None:
    rng = np.random.default_rng(6)
    boxes = [_person(float(x), 600 + float(rng.uniform(0, 40)), rng) for x in np.linspace(100, 1800, 20)]
    with pytest.raises(PerspectiveError, match="too narrow a band"):
        fit_perspective(boxes, SIZE)  # type: ignore[arg-type]


def test_a_line_shrinking_toward_the_camera_is_refused() -> None:
    boxes = [(900, foot - (400 - 0.3 * foot), 960, foot) for foot in np.linspace(300, 1000, 20)]
    with pytest.raises(PerspectiveError, match="do not get taller lower in the image"):
        fit_perspective(boxes, SIZE)


def test_standing_keeps_upright_boxes_inside_the_picture() -> None:
    kept = standing([(10, 100, 50, 200), (10, 100, 110, 200), (10, 0, 50, 100), (10, 1000, 50, 1080)], SIZE)
    assert kept == [(10, 100, 50, 200)]


def test_the_manual_perspective_reads_two_rows() -> None:
    fit = manual_perspective("400:60,1000:210", SIZE)
    assert (fit.method, fit.person_height(400), fit.person_height(1000)) == ("manual", 60, 210)
    assert fit.person_height(0) == pytest.approx(4.0)  # clamped: never shrinks to nothing
    for bad in ("400:60", "a:b,c:d", "400:60,400:80", "400:-5,900:100"):
        with pytest.raises(PerspectiveError, match="--perspective"):
            manual_perspective(bad, SIZE)
