"""Time limits per event class and grid: a micro-grid's override wins over its community's, which wins over
the class's own; every override is checked, also once inherited values are filled in."""

from __future__ import annotations

import pytest

from gridwatch.config import SiteConfigError, TimeLimits, parse_site
from tests.gridwatch.config.site_text import line_containing, mutate

CLASS_06 = """  - {code: "06", name: 非机动车乱停放, rules: [ebike_parking], department: chengguan,
     accept_within_h: 0.5, handle_within_h: 2}"""


def _with_limits(limits_yaml: str) -> str:
    return mutate(CLASS_06, CLASS_06[:-1] + f",\n     grid_limits: {limits_yaml}}}")


@pytest.mark.parametrize(
    ("limits_yaml", "micro_grid", "expected"),
    [
        ("[]", "mg-1", TimeLimits(0.5, 2, 0)),
        ("[{grid: cg-1, handle_within_h: 8}]", "mg-1", TimeLimits(0.5, 8, 0)),
        (
            "[{grid: cg-1, handle_within_h: 8}, {grid: mg-2, accept_within_h: 1, handle_within_h: 3}]",
            "mg-1",
            TimeLimits(0.5, 8, 0),
        ),
        (
            "[{grid: cg-1, handle_within_h: 8}, {grid: mg-2, accept_within_h: 1, handle_within_h: 3}]",
            "mg-2",
            TimeLimits(1, 3, 0),
        ),
        ("[{grid: mg-2, remind_before_h: 0.5}]", "mg-2", TimeLimits(0.5, 2, 0.5)),
    ],
)
def test_limits_resolve_micro_grid_then_community_then_class(
    limits_yaml: str, micro_grid: str, expected: TimeLimits
) -> None:
    site = parse_site(_with_limits(limits_yaml))
    assert site.time_limits("06", micro_grid) == expected
    assert site.time_limits(site.event_class("06"), micro_grid) == expected


@pytest.mark.parametrize(
    ("limits_yaml", "path", "message"),
    [
        ("[{grid: mg-9, handle_within_h: 3}]", "event_classes[0].grid_limits[0].grid", "unknown grid mg-9"),
        ("[{grid: town, handle_within_h: 3}]", "event_classes[0].grid_limits[0].grid", "is the town"),
        (
            "[{grid: mg-1, handle_within_h: 3}, {grid: mg-1, accept_within_h: 1}]",
            "event_classes[0].grid_limits[1].grid",
            "grid mg-1 has limits twice",
        ),
        (
            "[{grid: mg-1, handle_within_h: 0}]",
            "event_classes[0].grid_limits[0].handle_within_h",
            "time limit must be more than 0 working hours, got 0",
        ),
        (
            "[{grid: mg-1, handle_within_h: 0.25}]",
            "event_classes[0].grid_limits",
            "in micro-grid mg-1: accept_within_h (0.5) is longer than handle_within_h (0.25)",
        ),
        (
            "[{grid: mg-1, remind_before_h: 2}]",
            "event_classes[0].grid_limits",
            "in micro-grid mg-1: remind_before_h (2) must be shorter than handle_within_h (2)",
        ),
    ],
)
def test_bad_grid_limits_are_reported_with_their_path(limits_yaml: str, path: str, message: str) -> None:
    text = _with_limits(limits_yaml)
    with pytest.raises(SiteConfigError) as caught:
        parse_site(text)
    problems = [p for p in caught.value.problems if p.path == path]
    assert problems, [str(p) for p in caught.value.problems]
    assert message in problems[0].message
    assert problems[0].line == line_containing(text, "grid_limits")
