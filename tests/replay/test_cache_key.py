"""The detection cache's key changes with everything the cached boxes depend on, the static-foreground model
included (a changed algorithm must never be hidden by boxes an earlier one cached)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors import static_foreground
from gridwatch.config import load_site
from replay.detect import Detector

EXAMPLES = Path(__file__).resolve().parents[2] / "replay" / "compose" / "examples"


def test_a_new_static_foreground_model_misses_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    camera = load_site(EXAMPLES / "towncentre-trading.yaml").cameras[0]  # trading on static foreground
    detector = Detector()
    before = detector.key_for(camera, "0" * 64)
    assert before.static_foreground and before.static_model.startswith(f"v{static_foreground.MODEL_VERSION} ")
    monkeypatch.setattr(static_foreground, "MODEL_VERSION", static_foreground.MODEL_VERSION + 1)
    assert detector.key_for(camera, "0" * 64).digest() != before.digest()


def test_without_static_foreground_the_key_names_no_static_model() -> None:
    site = load_site(EXAMPLES / "towncentre-trading.yaml")
    zone = site.cameras[0].zones[0]
    rule = zone.rules[0].model_copy(update={"signal": "detections", "static_support": False})
    camera = site.cameras[0].model_copy(update={"zones": (zone.model_copy(update={"rules": (rule,)}),)})
    key = Detector().key_for(camera, "0" * 64)
    assert not key.static_foreground and key.static_model == ""


def test_a_camera_s_own_static_threshold_is_part_of_the_key() -> None:
    camera = load_site(EXAMPLES / "towncentre-trading.yaml").cameras[0]
    sensitive = camera.model_copy(
        update={"detection": camera.detection.model_copy(update={"static_threshold": 15.0})}
    )
    detector = Detector()
    assert detector.key_for(sensitive, "0" * 64).digest() != detector.key_for(camera, "0" * 64).digest()
    assert '"diff_threshold":15.0' in detector.key_for(sensitive, "0" * 64).static_model
