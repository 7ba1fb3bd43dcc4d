"""Street-front trading (04) and mobile vendors (01): objects vs people, the static-foreground signal."""

from __future__ import annotations

from typing import Any

import pytest

from gridwatch.messages import ClassCode, RuleKind
from tests.streams.rules.scenes import (
    CART,
    VENDOR,
    Obj,
    Scene,
    assert_timeline,
    blob,
    goods,
    person,
    rules_for,
    run,
    shifted,
)

TRADE: dict[str, Any] = {"kind": "storefront_trading", "dwell_s": 60, "clear_s": 30, "cooldown_s": 300}
VEND: dict[str, Any] = {"kind": "mobile_vendor", "dwell_s": 60, "clear_s": 30, "cooldown_s": 300}
#: The zone is 1700 x 500 px: a 300 x 200 blob covers 7 % of it, a 100 x 100 blob 1.2 %.
BIG_BLOB = (600.0, 600.0, 900.0, 800.0)
SMALL_BLOB = (600.0, 700.0, 700.0, 800.0)
EVENT = [("new", 60), ("end", 150)]


def until_120(*objects: Obj) -> Scene:
    def scene(t: float) -> list[Obj]:
        return list(objects) if t < 120 else []

    return scene


def walker(t: float) -> list[Obj]:
    return [person(shifted(VENDOR, -900 + 6 * t))] if t < 240 else []


@pytest.mark.parametrize(
    ("signal", "scene", "expected"),
    [
        ("detections", until_120(goods()), EVENT),
        ("detections", until_120(person(VENDOR)), []),
        ("detections", walker, []),
        ("detections", until_120(blob(BIG_BLOB)), []),
        ("static_foreground", until_120(blob(BIG_BLOB)), EVENT),
        ("static_foreground", until_120(blob(SMALL_BLOB)), []),
        ("static_foreground", until_120(goods()), []),
        ("both", until_120(goods()), EVENT),
        ("both", until_120(blob(BIG_BLOB)), EVENT),
        ("both", until_120(person(VENDOR), blob(SMALL_BLOB)), []),
    ],
)
def test_storefront_trading(signal: str, scene: Scene, expected: list[tuple[str, float]]) -> None:
    incidents = run(rules_for({**TRADE, "signal": signal, "static_min_fraction": 0.05}), scene, until=240)
    assert_timeline(incidents, expected)
    assert all(
        i.rule is RuleKind.STOREFRONT_TRADING and i.class_code is ClassCode.STOREFRONT_TRADING
        for i in incidents
    )


def vendor_joins_at_30(t: float) -> list[Obj]:
    if t >= 150:
        return []
    return [goods(), person(VENDOR)] if t >= 30 else [goods()]


def passer_by_at_cart(t: float) -> list[Obj]:
    return [goods(), *walker(t)] if t < 120 else []


@pytest.mark.parametrize(
    ("scene", "expected"),
    [
        (until_120(goods(), person(VENDOR)), EVENT),
        (until_120(goods()), []),
        (until_120(person(VENDOR)), []),
        (passer_by_at_cart, []),
        (
            until_120(goods(), person((1500.0, 600.0, 1560.0, 790.0))),
            [],
        ),  # someone standing far from the cart
        (vendor_joins_at_30, [("new", 90), ("end", 180)]),
    ],
    ids=[
        "vendor-at-cart",
        "cart-alone",
        "person-alone",
        "passer-by",
        "person-far-away",
        "vendor-joins-later",
    ],
)
def test_mobile_vendor(scene: Scene, expected: list[tuple[str, float]]) -> None:
    incidents = run(rules_for(VEND), scene, until=240)
    assert_timeline(incidents, expected)
    assert all(i.class_code is ClassCode.UNLICENSED_VENDOR for i in incidents)
    if incidents:
        assert incidents[0].boxes == (CART,)
