"""Rule kinds are registered, not if-chained: every configurable kind has logic, and the engine finds it."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

import pytest

from gridwatch.config import RuleKind, ZoneRule
from gridwatch.detections import Detections
from streams.rules import registry
from streams.rules.engine import CameraRules
from streams.rules.parking import ParkingLogic
from streams.rules.state import ZoneRuleState
from streams.rules.trading import TradingLogic
from streams.rules.tuning import RuleTuning
from streams.rules.vendor import VendorLogic
from streams.rules.zones import Offender, ZoneRuleSpec
from tests.streams.rules.scenes import QUIET, TZ, bike, camera, lifecycles, run


def _configurable_kinds() -> set[RuleKind]:
    union = typing.get_args(ZoneRule)[0]
    return {typing.get_args(model.model_fields["kind"].annotation)[0] for model in typing.get_args(union)}


def test_every_rule_kind_the_configuration_accepts_has_registered_logic() -> None:
    assert _configurable_kinds() == set(RuleKind) == set(registry.RULE_LOGIC)


@pytest.mark.parametrize(
    ("rule", "logic"),
    [
        ({"kind": "ebike_parking", "dwell_s": 60}, ParkingLogic(0.3)),
        ({"kind": "storefront_trading", "dwell_s": 60}, TradingLogic()),
        ({"kind": "mobile_vendor", "dwell_s": 60}, VendorLogic(1.0)),
    ],
)
def test_the_engine_builds_each_zone_rule_with_its_kinds_logic(rule: dict[str, Any], logic: object) -> None:
    (spec,) = CameraRules(camera(rule), TZ, RuleTuning()).specs
    assert spec.logic == logic


@dataclass(frozen=True)
class _NeverOffends:
    """A stand-in rule kind's logic: follows two-wheelers, never offends."""

    def select(self, spec: ZoneRuleSpec, detections: Detections) -> tuple[Detections, Detections]:
        return detections, Detections.empty()

    def offenders(self, spec: ZoneRuleSpec, state: ZoneRuleState, now: float) -> list[Offender]:
        return []


def test_the_registered_logic_is_the_one_that_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = {"kind": "ebike_parking", "dwell_s": 60, "inertia": 1}
    parked = run(CameraRules(camera(rule), TZ, QUIET), lambda t: [bike()], 120)
    assert lifecycles(parked) == ["new"]
    table = {**registry.RULE_LOGIC, RuleKind.EBIKE_PARKING: lambda _rule, _tuning: _NeverOffends()}
    monkeypatch.setattr(registry, "RULE_LOGIC", table)
    assert run(CameraRules(camera(rule), TZ, QUIET), lambda t: [bike()], 120) == []


def test_a_kind_without_logic_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    table = {k: v for k, v in registry.RULE_LOGIC.items() if k is not RuleKind.MOBILE_VENDOR}
    monkeypatch.setattr(registry, "RULE_LOGIC", table)
    with pytest.raises(LookupError, match="no logic registered for rule kind 'mobile_vendor'"):
        CameraRules(camera({"kind": "mobile_vendor", "dwell_s": 60}), TZ, RuleTuning())
