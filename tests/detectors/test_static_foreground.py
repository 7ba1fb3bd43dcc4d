"""Static foreground: a box that appears and stays becomes a blob; people walking never do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from detectors.static_foreground import StaticBlob, StaticForeground, StaticForegroundSettings, as_detections
from gridwatch.detections import STATIC_FOREGROUND_CLASS
from gridwatch.messages import FrameDetections, ModelRef, StageTimings
from streams.rules.engine import CameraRules
from streams.rules.geometry import iou
from streams.rules.state import CameraState
from streams.rules.tuning import RuleTuning
from tests.streams.rules.scenes import TZ, camera

FOOTAGE = Path("/work/shared/data/footage/cctv")
SETTINGS = StaticForegroundSettings(
    fast_tau_s=2.0, min_static_s=10.0, slow_tau_s=300.0, warmup_s=10.0, min_area_fraction=0.002
)
T0 = 1_772_416_800.0  # 2026-03-02 10:00 +08:00
STALL = (200, 150, 260, 200)  # x1, y1, x2, y2 on a 320 x 240 image


def _synthetic(t: float, rng: np.random.Generator, street: NDArray[np.uint8]) -> NDArray[np.uint8]:
    image = street.copy()
    for lane, speed in ((60, 40.0), (110, -55.0)):  # two people walking across, back and forth
        x = int((20 + speed * t) % 300)
        image[lane : lane + 40, x : x + 14] = 30
    if t >= 15:
        x1, y1, x2, y2 = STALL
        image[y1:y2, x1:x2] = 220
    noise = rng.integers(-6, 7, image.shape)
    noisy: NDArray[np.uint8] = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    return noisy


def test_a_box_that_appears_and_stays_becomes_one_blob_and_walkers_never_do() -> None:
    rng = np.random.default_rng(5)
    street: NDArray[np.uint8] = np.asarray(
        cv2.GaussianBlur(rng.integers(90, 160, (240, 320), dtype=np.uint8), (7, 7), 0), np.uint8
    )
    model = StaticForeground(SETTINGS)
    seen: list[tuple[float, list[StaticBlob]]] = []
    for index in range(121):  # 60 s at 2 samples/s
        t = index * 0.5
        seen.append((t, model.update(_synthetic(t, rng, street), T0 + t)))
    first = next(t for t, blobs in seen if blobs)
    assert 25 <= first <= 30, "the stall shows once it has stood min_static_s after the fast model caught up"
    for t, blobs in seen:
        assert all(iou(blob.box, STALL) > 0.5 for blob in blobs), f"a blob not on the stall at {t}s: {blobs}"
    assert all(len(blobs) == 1 for t, blobs in seen if t >= first)
    assert seen[-1][1][0].since == pytest.approx(T0 + 15, abs=6)


def test_blobs_become_trading_objects_the_rules_recognise() -> None:
    blob = StaticBlob((10.0, 20.0, 330.0, 90.0), 0.8, T0)
    detections = as_detections([blob], frame_width=320, frame_height=240)
    assert detections.class_name == (STATIC_FOREGROUND_CLASS,) and detections.kind == ("trading_object",)
    assert detections.class_id.tolist() == [-1] and detections.score.tolist() == pytest.approx([0.8])
    assert detections.xyxy[0].tolist() == [
        10.0,
        20.0,
        320.0,
        90.0,
    ]  # clipped into the frame, as messages require


def _clip_frames(path: Path, every_s: float) -> Iterator[tuple[float, NDArray[np.uint8]]]:
    capture = cv2.VideoCapture(str(path))
    try:
        fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
        step = max(1, round(fps * every_s))
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            if index % step == 0:
                yield index / fps, np.asarray(frame, np.uint8)
            index += 1
    finally:
        capture.release()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "fast_tau_s", "min_static_s", "dwell_s"),
    [
        ("pets2009_vtest.avi", 2.0, 10.0, 10.0),  # 80 s: production-like proportions, shortened
        ("towncentre_1080p_10s.mp4", 1.0, 3.0, 3.0),  # 10 s: everything short enough to matter
    ],
)
def test_people_walking_on_a_real_clip_make_no_trading_incident(
    clip: str, fast_tau_s: float, min_static_s: float, dwell_s: float
) -> None:
    path = FOOTAGE / clip
    if not path.exists():
        pytest.skip(f"{path} is not here")
    settings = {"min_static_s": min_static_s, "fast_tau_s": fast_tau_s, "warmup_s": min_static_s}
    model = StaticForeground(SETTINGS.model_copy(update=settings))
    rules: CameraRules | None = None
    state = CameraState()
    incidents = []
    largest_cover = 0.0
    for index, (t, frame) in enumerate(_clip_frames(path, every_s=0.5)):
        height, width = frame.shape[:2]
        if rules is None:
            zone = [
                (0.0, height * 0.3),
                (width - 1.0, height * 0.3),
                (width - 1.0, height - 1.0),
                (0.0, height - 1.0),
            ]
            rule = {
                "kind": "storefront_trading",
                "dwell_s": dwell_s,
                "signal": "static_foreground",
                "inertia": 1,
            }
            rules = CameraRules(camera(rule, polygon=zone, resolution=(width, height)), TZ, RuleTuning())
        blobs = model.update(frame, T0 + t)
        largest_cover = max(largest_cover, sum(_area(b.box) for b in blobs) / (width * height))
        message = FrameDetections(
            camera_id="cam-1",
            seq=index,
            captured_at=T0 + t,
            frame_width=width,
            frame_height=height,
            model=ModelRef(id="none", version="0"),
            detections=as_detections(blobs, width, height),
            timings_ms=StageTimings(decode=0, preprocess=0, infer=0, postprocess=0),
        )
        incidents.extend(rules.step(state, message).incidents)
    assert rules is not None, "the clip has frames"
    assert incidents == []
    assert largest_cover < 0.05  # the zone's static_min_fraction: people standing about stay well below


def _area(box: tuple[float, float, float, float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])
