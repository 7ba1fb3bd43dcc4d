"""``/api/v1/cameras`` says which model and verifier each camera runs and how many dismissed spots apply."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from gridwatch.config import SpotException, load_site
from tests.dispatch.core.api_harness import make_api
from tests.dispatch.core.flows import OPERATOR
from tests.dispatch.core.harness import EXAMPLE_SITE, HarnessFactory, local

NOW = local("2026-11-23 09:00")


def test_cameras_name_their_model_verifier_and_live_dismissed_spots(
    new_harness: HarnessFactory, tmp_path: Path
) -> None:
    site = load_site(EXAMPLE_SITE)
    first = site.cameras[0]
    rack = SpotException.model_validate(
        {"id": "rack", "polygon": [[0, 0], [50, 0], [50, 50]], "reason": "非机动车停放点"}
    )
    expired = rack.model_copy(update={"id": "old", "until": NOW - timedelta(days=1)})
    changed = first.model_copy(
        update={
            "detection": first.detection.model_copy(
                update={"model": "centernet-coco80", "verifier": tmp_path / "trading_object-20261208T030305"}
            ),
            "exceptions": (rack, expired),
        }
    )
    site = site.model_copy(update={"cameras": (changed, *site.cameras[1:])})
    api = make_api(new_harness(NOW, site), tmp_path / "photos")
    cameras = {c["id"]: c for c in api.get("/api/v1/cameras", OPERATOR).json()}
    assert (
        cameras[first.id]["model"],
        cameras[first.id]["verifier"],
        cameras[first.id]["dismissed_spots"],
    ) == (
        "centernet-coco80",
        "trading_object-20261208T030305",
        1,  # the expired one no longer applies
    )
    other = cameras[site.cameras[1].id]
    assert (other["model"], other["verifier"], other["dismissed_spots"]) == (None, None, 0)
