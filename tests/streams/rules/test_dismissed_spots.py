"""Dismissed spots (camera exceptions): an object standing in one raises nothing for the rules it silences,
while it lasts; outside it, for other rules, or once it expired, everything works as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from gridwatch.config import SpotException
from streams.rules.engine import CameraRules
from tests.streams.rules.scenes import BIKE, QUIET, T0, TZ, bike, blob, camera, lifecycles, run, shifted

PARK: dict[str, Any] = {
    "kind": "ebike_parking",
    "dwell_s": 60,
    "clear_s": 30,
    "cooldown_s": 300,
    "inertia": 2,
}
TRADE: dict[str, Any] = {
    "kind": "storefront_trading",
    "dwell_s": 60,
    "clear_s": 30,
    "cooldown_s": 300,
    "inertia": 2,
    "signal": "static_foreground",
    "static_min_fraction": 0.001,
}
#: Around the bike's bottom-centre (450, 800): a bike rack painted on the pavement.
RACK = ((380.0, 760.0), (520.0, 760.0), (520.0, 840.0), (380.0, 840.0))


def _rules(rule: dict[str, Any], *spots: SpotException) -> CameraRules:
    cam = camera(rule)
    return CameraRules(cam.model_copy(update={"exceptions": spots}), TZ, QUIET)


def _spot(**update: Any) -> SpotException:
    return SpotException.model_validate(
        {"id": "rack-1", "polygon": RACK, "reason": "非机动车停放点", **update}
    )


def parked(t: float) -> list[Any]:
    return [bike()] if t < 120 else []


def test_a_bike_parked_in_a_dismissed_rack_raises_nothing_and_beside_it_it_does() -> None:
    assert lifecycles(run(_rules(PARK), parked, until=200)) == ["new", "end"]  # no exception: as always
    assert run(_rules(PARK, _spot()), parked, until=200) == []
    beside = shifted(BIKE, 300)  # its bottom-centre outside the rack

    def parked_beside(t: float) -> list[Any]:
        return [bike(beside)] if t < 120 else []

    assert lifecycles(run(_rules(PARK, _spot()), parked_beside, until=200)) == ["new", "end"]


def test_an_exception_silences_only_the_rules_it_names() -> None:
    def stall(t: float) -> list[Any]:
        return [blob(BIKE)] if t < 120 else []

    for_parking_only = _spot(rules=["ebike_parking"])
    assert run(_rules(PARK, for_parking_only), parked, until=200) == []
    assert lifecycles(run(_rules(TRADE, for_parking_only), stall, until=200)) == ["new", "end"]
    assert run(_rules(TRADE, _spot(rules=["storefront_trading"])), stall, until=200) == []


def test_an_expired_exception_no_longer_applies_from_the_frame_time_it_ends() -> None:
    ends = datetime.fromtimestamp(T0 + 30, UTC)  # the bike stands from T0: after 30 s the rack is gone
    incidents = run(_rules(PARK, _spot(until=ends)), parked, until=200)
    assert lifecycles(incidents) == ["new", "end"]
    assert incidents[0].observed_at - T0 >= 30 + 60 - 1  # its dwell counted only once the rack expired


def test_an_exception_is_validated_like_a_zone() -> None:
    with pytest.raises(ValidationError, match="at least 3"):
        _spot(polygon=[[0, 0], [10, 10]])
    with pytest.raises(ValidationError, match="timezone"):
        _spot(until="2027-01-01T00:00:00")
    with pytest.raises(ValidationError, match="rules"):
        _spot(rules=["parking"])
