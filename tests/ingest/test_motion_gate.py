from __future__ import annotations

import numpy as np
import pytest

from gridwatch.messages import FrameReason
from ingest.motion_gate import MotionGate
from tests.ingest.helpers import solid


def gate(**overrides: object) -> MotionGate:
    options: dict[str, object] = {
        "enabled": True,
        "min_changed_fraction": 0.01,
        "keepalive_s": 10.0,
        "pixel_threshold": 25,
        "width": 80,
    }
    options.update(overrides)
    return MotionGate(**options)  # type: ignore[arg-type]


def publish(g: MotionGate, image: np.ndarray, at: float) -> FrameReason | None:
    decision = g.decide(image, at)
    if decision.publish:
        g.commit(decision)
    return decision.reason


def test_first_frame_then_nothing_until_keepalive() -> None:
    g = gate()
    image = solid()
    reasons = [publish(g, image, float(t)) for t in range(0, 31)]
    assert reasons[0] is FrameReason.FIRST
    published = {t: r for t, r in enumerate(reasons) if r is not None}
    assert published == {
        0: FrameReason.FIRST,
        10: FrameReason.KEEPALIVE,
        20: FrameReason.KEEPALIVE,
        30: FrameReason.KEEPALIVE,
    }


def test_sensor_noise_is_not_motion() -> None:
    g = gate()
    rng = np.random.default_rng(0)
    base = solid(value=120)
    publish(g, base, 0.0)
    noisy = np.clip(base.astype(np.int16) + rng.integers(-8, 9, base.shape), 0, 255).astype(np.uint8)
    decision = g.decide(noisy, 1.0)
    assert decision.reason is None
    assert decision.changed_fraction < 0.01


def test_a_moving_box_is_motion_and_compared_with_the_last_published_frame() -> None:
    g = gate()
    publish(g, solid(), 0.0)
    moved = solid()
    moved[100:160, 100:180] = 250
    assert publish(g, moved, 1.0) is FrameReason.MOTION
    assert publish(g, moved, 2.0) is None  # same as the last published
    assert publish(g, solid(), 3.0) is FrameReason.MOTION  # the box left


def test_uncommitted_decision_does_not_become_the_reference() -> None:
    g = gate()
    publish(g, solid(), 0.0)
    moved = solid()
    moved[:120] = 250
    assert g.decide(moved, 1.0).reason is FrameReason.MOTION  # not committed (say encoding failed)
    assert g.decide(moved, 2.0).reason is FrameReason.MOTION


def test_disabled_gate_publishes_every_sample() -> None:
    g = gate(enabled=False)
    assert [publish(g, solid(), float(t)) for t in range(3)] == [
        FrameReason.FIRST,
        FrameReason.MOTION,
        FrameReason.MOTION,
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_changed_fraction", 0.0, "min_changed_fraction"),
        ("keepalive_s", 0.0, "keepalive_s"),
        ("pixel_threshold", 0, "pixel_threshold"),
        ("width", 4, "gate width"),
    ],
)
def test_bad_parameters_are_named(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gate(**{field: value})
