"""The example's demo camera: the default model finds the parked bikes of its still clip inside its zone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from app.demo.casting import plan_footage
from app.demo.footage import make_footage
from app.demo.library import FootageLibrary
from detectors.backends.factory import BackendChoice, open_backend
from gridwatch.config import ObjectKind, RuleKind, load_site
from ingest.settings import IngestSettings
from tests.app.demo.conftest import EXAMPLE_SITE


@pytest.mark.slow
def test_the_parked_bikes_stand_in_the_demo_zone(
    tmp_path: Path, shared_footage: FootageLibrary, model_built: None
) -> None:
    site = load_site(EXAMPLE_SITE)
    plan = plan_footage(site, shared_footage, base_dir=tmp_path)
    (job,) = [job for job in plan.jobs if job.camera.id in plan.demo_camera_ids]
    make_footage(replace(plan, jobs=(job,)), say=lambda _line: None)
    camera = job.camera
    (zone,) = [zone for zone in camera.zones if zone.rule(RuleKind.EBIKE_PARKING)]
    rule = zone.rule(RuleKind.EBIKE_PARKING)
    assert rule is not None and rule.dwell_s <= 180, "demo-friendly dwell"
    assert camera.motion_gate.keepalive_s <= rule.dwell_s / 6, "a still scene is sampled often enough"

    with av.open(str(job.target)) as container:
        frame = next(iter(container.decode(video=0))).to_ndarray(format="bgr24")
    assert frame.shape[:2] == (camera.height, camera.width)
    # As ingest publishes it (longest side max_side), then back to native pixels as the rules see it.
    max_side = IngestSettings().max_side
    scale = max_side / max(camera.width, camera.height)
    published = cv2.resize(frame, (round(camera.width * scale), round(camera.height * scale)))
    backend = open_backend(BackendChoice())
    (detections,) = backend.detect_batch([np.ascontiguousarray(published)])
    kinds = detections.kind
    polygon = np.array(zone.polygon, np.float32)
    inside = 0
    for box, kind in zip(detections.xyxy, kinds, strict=True):
        if kind is not ObjectKind.TWO_WHEELER:
            continue
        x = float(box[0] + box[2]) / 2 / scale
        y = float(box[3]) / scale
        inside += cv2.pointPolygonTest(polygon, (x, y), False) >= 0
    assert inside >= max(2, rule.min_count), f"{inside} two-wheelers stand in zone {zone.id}"
