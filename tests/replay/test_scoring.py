"""Scoring by hand on made-up episodes and labels: overlap, class agreement, delay, false per hour."""

from __future__ import annotations

import pytest

from gridwatch.messages import RuleKind
from replay.scoring import Episode, Truth, breakdown, overlaps, score, time_only

PARK, TRADE = RuleKind.EBIKE_PARKING, RuleKind.STOREFRONT_TRADING


def ep(zone: str, rule: RuleKind, start: float, end: float, camera: str = "c1") -> Episode:
    return Episode(f"{camera}.{zone}.{start}", camera, zone, rule, start, end, False, (), end - start)


def test_an_incident_matches_a_label_when_intervals_overlap_and_the_class_agrees() -> None:
    truths = [Truth("c1", "z1", PARK, 100, 200), Truth("c1", "z1", PARK, 500, 600)]
    episodes = [
        ep("z1", PARK, 150, 260),  # overlaps the first label: true, delay 50
        ep("z1", TRADE, 520, 580),  # right time, wrong class: false
        ep("z2", PARK, 520, 580),  # right time, wrong zone: false
        ep("z1", PARK, 600, 700),  # touches the second label's end: true, delay 100
        ep("z1", PARK, 610, 700),  # after it: false
    ]
    s = score(episodes, truths, camera_hours=2.0)
    assert (s.incidents, s.true_incidents, s.false_incidents, s.matched_labels) == (5, 2, 3, 2)
    assert s.precision == pytest.approx(2 / 5) and s.recall == pytest.approx(1.0)
    assert s.f1 == pytest.approx(2 * 0.4 * 1.0 / 1.4)
    assert s.delays_s == (50, 100) and s.mean_delay_s == pytest.approx(75)
    assert s.false_per_camera_hour == pytest.approx(3 / 2.0)


def test_nothing_to_count_gives_none_not_zero() -> None:
    s = score([], [Truth("c1", "z1", PARK, 0, 10)], camera_hours=1.0)
    assert (s.precision, s.recall, s.f1, s.mean_delay_s) == (None, 0.0, None, None)
    assert score([ep("z1", PARK, 0, 5)], [], 0.0).false_per_camera_hour is None


def test_breakdown_splits_per_rule_and_per_zone_with_each_rules_camera_hours() -> None:
    truths = [Truth("c1", "z1", PARK, 0, 100), Truth("c2", "z9", TRADE, 0, 100)]
    episodes = [ep("z1", PARK, 50, 80), ep("z9", TRADE, 500, 600, camera="c2")]
    zones = {"c1": [("z1", PARK)], "c2": [("z9", TRADE)]}
    result = breakdown(episodes, truths, {"c1": 3600.0, "c2": 7200.0}, zones)
    park, trade = result.per_rule["ebike_parking"], result.per_rule["storefront_trading"]
    assert (park.precision, park.recall, park.camera_hours) == (1.0, 1.0, 1.0)
    assert (trade.precision, trade.recall, trade.camera_hours) == (0.0, 0.0, 2.0)
    assert trade.false_per_camera_hour == pytest.approx(0.5)
    assert set(result.per_zone) == {"c1/z1", "c2/z9"}
    assert result.overall.camera_hours == pytest.approx(3.0) and result.overall.precision == 0.5


def test_a_label_with_a_box_is_matched_only_by_an_incident_on_that_object() -> None:
    labelled = Truth("c1", "z1", PARK, 100, 300, box=(100, 400, 180, 480))
    on_it = Episode("on", "c1", "z1", PARK, 160, 320, False, ((104, 396, 178, 470),), 60)
    elsewhere = Episode("off", "c1", "z1", PARK, 160, 320, False, ((600, 400, 680, 480),), 60)
    # The update messages can carry the object even when the first did not.
    later = Episode("later", "c1", "z1", PARK, 160, 320, False, ((600, 400, 680, 480),), 60,
                    boxes=((600, 400, 680, 480), (110, 410, 170, 478)))  # fmt: skip
    assert overlaps(on_it, labelled) and not time_only(on_it, labelled)
    assert not overlaps(elsewhere, labelled) and time_only(elsewhere, labelled)
    assert overlaps(later, labelled)
    s = score([elsewhere], [labelled], camera_hours=1.0)
    assert (s.true_incidents, s.false_incidents, s.matched_labels) == (0, 1, 0)
    assert (s.time_only_incidents, s.time_only_labels) == (1, 1)
    s = score([on_it, elsewhere], [labelled], camera_hours=1.0)
    assert (s.true_incidents, s.false_incidents, s.matched_labels, s.time_only_incidents) == (1, 1, 1, 1)
    assert s.time_only_labels == 0  # the label was found: its miss by the other incident is not reported
    # Without a box the old rule holds: zone and time are enough.
    assert overlaps(elsewhere, Truth("c1", "z1", PARK, 100, 300))


def test_a_point_label_is_found_by_a_box_around_the_point() -> None:
    pointed = Truth("c1", "z1", PARK, 0, 100, point=(140, 470))
    near = Episode("near", "c1", "z1", PARK, 50, 90, False, ((100, 400, 180, 465),), 40)
    far = Episode("far", "c1", "z1", PARK, 50, 90, False, ((100, 300, 180, 380),), 40)
    assert overlaps(near, pointed)  # 5 px below a 65 px box: inside its 10 % margin
    assert time_only(far, pointed)
