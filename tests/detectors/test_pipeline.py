"""The frames-to-detections pipeline without a broker: order, rejects, timings, streams, zones, evidence."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.bootstrap.detect import static_foreground_signals
from detectors.camera_zones import CameraZones, SiteCameras, ZoneView
from detectors.evidence.label_font import AsciiLabelPainter
from detectors.evidence.settings import EvidencePolicy, EvidenceSettings
from detectors.evidence.stores import LocalFolderStore
from detectors.evidence.writer import EvidenceWriter
from detectors.static_foreground import StaticForegroundSettings
from detectors.worker.activity import CameraActivity
from detectors.worker.metrics import DetectMetrics
from detectors.worker.pipeline import DetectionPipeline, split_evenly
from detectors.worker.static_foreground_signals import StaticForegroundSignals
from gridwatch.config import CameraDetection, SiteConfig, load_site
from gridwatch.detections import ObjectKind
from gridwatch.evidence_frames import raw_frame_of
from gridwatch.messages import Frame
from tests.detectors.fakes import BrightBoxBackend, LowResolutionBackend, corrupt_frame, make_frame

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"
#: cam-0001 (1920x1080) has zone z-sidewalk (ebike_parking: two-wheelers) with this polygon:
#: [[120, 620], [1500, 560], [1880, 1040], [60, 1070]]; frames here are 480x270, a quarter of it.
SMALL = (480, 270)
BIKE_IN_ZONE = (
    180,
    200,
    230,
    225,
)  # wider than high: a "bicycle"; bottom centre (205, 225) = (820, 900) native
BIKE_OUTSIDE = (180, 20, 230, 45)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(EXAMPLE_SITE)


def _pipeline(backend: BrightBoxBackend, **kwargs: object) -> DetectionPipeline:
    cameras = kwargs.pop("cameras", SiteCameras({}))
    assert isinstance(cameras, SiteCameras)
    return DetectionPipeline(
        backend,
        CameraActivity(300.0, 4096, clock=lambda: 0.0),
        cameras,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("streams", [1, 2])
def test_outcomes_follow_the_input_order_with_rejects_in_place(streams: int) -> None:
    # with two streams the first two parts of the batch must run at the same time (on both stream threads)
    backend = BrightBoxBackend(max_batch_size=3, streams=streams, rendezvous=streams)
    pipeline = _pipeline(backend)
    mismatched = make_frame("cam-b", 1, [(10, 10, 30, 60)]).model_copy(update={"width": 161})
    frames: list[Frame] = [
        make_frame("cam-a", 0, [(10, 10, 30, 60)]),
        make_frame("cam-b", 0, [(50, 10, 70, 60)]),
        corrupt_frame("cam-a", 1),
        make_frame("cam-a", 2, [(12, 10, 32, 60)]),
        mismatched,
        make_frame("cam-b", 2, [(52, 10, 72, 60)]),
        make_frame("cam-c", 0, []),
    ]
    outcomes = pipeline.process(frames)
    pipeline.close()
    assert [(o.frame.camera_id, o.frame.seq) for o in outcomes] == [(f.camera_id, f.seq) for f in frames]
    assert outcomes[2].message is None and "does not decode" in (outcomes[2].rejected or "")
    assert outcomes[4].message is None and "161x120" in (outcomes[4].rejected or "")
    published = [o.message for o in outcomes if o.message is not None]
    assert len(published) == 5
    assert max(backend.batch_sizes) <= 3
    if streams == 2:
        assert len(backend.threads) == 2, "the batch was split over both streams, run side by side"
    a0, b0, a2, b2, c0 = published
    for message, x1 in ((a0, 10), (b0, 50), (a2, 12), (b2, 52)):  # each frame's own box, nothing else
        assert message.detections.class_name == ("person",)
        assert message.detections.xyxy[0, 0] == pytest.approx(x1, abs=1)
    assert len(c0.detections) == 0
    for message in published:
        assert message.model.id == "bright-box" and message.model.version == "test-1"
        timings = message.timings_ms
        assert timings.decode > 0 and timings.preprocess > 0 and timings.postprocess > 0
        assert timings.infer >= 0
        assert (message.frame_width, message.frame_height) == (160, 120)


@pytest.mark.parametrize(
    ("count", "streams", "max_part", "sizes"),
    [(0, 2, 8, []), (1, 2, 8, [1]), (7, 2, 8, [4, 3]), (8, 1, 3, [3, 3, 2]), (5, 4, 8, [2, 1, 1, 1])],
)
def test_split_evenly(count: int, streams: int, max_part: int, sizes: list[int]) -> None:
    parts = split_evenly(list(range(count)), streams, max_part)
    assert [len(p) for p in parts] == sizes
    assert [i for p in parts for i in p] == list(range(count))


def _whole_frames(cameras: SiteCameras) -> SiteCameras:
    """The cameras detecting on whole frames (the fake model needs boxes whole, never cut by tiles)."""
    return SiteCameras(
        {
            camera_id: dataclasses.replace(zones, detection=CameraDetection(zone_tiles=False))
            for camera_id in cameras.ids()
            if (zones := cameras.get(camera_id)) is not None
        }
    )


def test_evidence_for_frames_with_a_watched_object_in_a_zone_only(site: SiteConfig, tmp_path: Path) -> None:
    settings = EvidenceSettings(policy=EvidencePolicy.RELEVANT, directory=tmp_path)
    writer = EvidenceWriter(settings, LocalFolderStore(tmp_path), AsciiLabelPainter())
    metrics = DetectMetrics()
    pipeline = _pipeline(
        BrightBoxBackend(),
        cameras=_whole_frames(SiteCameras.from_site(site)),
        evidence=writer,
        metrics=metrics,
    )
    inside = make_frame("cam-0001", 7, [BIKE_IN_ZONE], size=SMALL)
    outside = make_frame("cam-0001", 8, [BIKE_OUTSIDE], size=SMALL)
    unknown_camera = make_frame("cam-9999", 0, [BIKE_IN_ZONE], size=SMALL)
    first, second, third = (o.message for o in pipeline.process([inside, outside, unknown_camera]))
    assert first is not None and second is not None and third is not None
    assert first.detections.kind == ("two_wheeler",)
    assert second.evidence_url is None and third.evidence_url is None
    assert first.evidence_url is not None and first.evidence_url.startswith("file://")
    files = sorted(tmp_path.rglob("*.jpg"))
    assert [p.relative_to(tmp_path).parts[0] for p in files] == ["cam-0001", "cam-0001"]
    snapshot = Path(first.evidence_url.removeprefix("file://"))
    raw_url = raw_frame_of(first.evidence_url)
    assert raw_url is not None and sorted(files) == sorted([snapshot, Path(raw_url.removeprefix("file://"))])
    annotated = cv2.imread(str(snapshot))
    clean = cv2.imread(raw_url.removeprefix("file://"))
    assert annotated is not None and annotated.shape[:2] == (SMALL[1], SMALL[0])
    assert clean is not None and clean.shape == annotated.shape
    original = cv2.imdecode(np.frombuffer(inside.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert original is not None
    # the zone is tinted and outlined: the pixels at its left edge changed; the clean frame is the original
    assert np.abs(annotated[260:268, 15:40].astype(int) - original[260:268, 15:40].astype(int)).mean() > 10
    assert np.abs(clean.astype(int) - original.astype(int)).mean() < 3
    exposition = _exposition(metrics)
    assert 'gw_detect_stage_ms_count{stage="evidence"} 1.0' in exposition
    assert 'gw_detect_stage_ms_count{stage="infer"} 3.0' in exposition


def test_static_foreground_is_on_only_for_cameras_whose_rules_read_it(site: SiteConfig) -> None:
    signals = static_foreground_signals(site)
    assert signals is not None
    wanting = {
        camera.id
        for camera in site.cameras
        for zone in camera.zones
        for rule in zone.rules
        if rule.uses_static_foreground
    }
    assert wanting and getattr(signals, "enabled", None) == frozenset(wanting)
    without_support = site.model_copy(
        update={
            "cameras": tuple(
                camera.model_copy(
                    update={
                        "zones": tuple(
                            zone.model_copy(
                                update={
                                    "rules": tuple(
                                        r.model_copy(update={"static_support": False}) for r in zone.rules
                                    )
                                }
                            )
                            for zone in camera.zones
                        )
                    }
                )
                for camera in site.cameras
            )
        }
    )
    trading_signal = {
        camera.id
        for camera in site.cameras
        for zone in camera.zones
        for rule in zone.rules
        if getattr(rule, "signal", "detections") in ("static_foreground", "both")
    }
    narrower = static_foreground_signals(without_support)
    assert getattr(narrower, "enabled", None) == frozenset(trading_signal) < frozenset(wanting)
    assert static_foreground_signals(None) is None


def test_a_camera_s_static_threshold_reaches_its_static_foreground_model(site: SiteConfig) -> None:
    wanting = [c for c in site.cameras if any(r.uses_static_foreground for z in c.zones for r in z.rules)]
    sensitive = wanting[0].model_copy(
        update={"detection": wanting[0].detection.model_copy(update={"static_threshold": 12.0})}
    )
    cameras = tuple(sensitive if c.id == sensitive.id else c for c in site.cameras)
    signals = static_foreground_signals(site.model_copy(update={"cameras": cameras}))
    assert isinstance(signals, StaticForegroundSignals)
    assert {cid: s.diff_threshold for cid, s in signals.per_camera.items()} == {sensitive.id: 12.0}
    frame = make_frame(sensitive.id, 0, [], size=SMALL)
    signals.detect(frame, np.zeros((SMALL[1], SMALL[0], 3), np.uint8), None)
    other = next(c.id for c in wanting if c.id != sensitive.id)
    signals.detect(make_frame(other, 0, [], size=SMALL), np.zeros((SMALL[1], SMALL[0], 3), np.uint8), None)
    assert signals._models[sensitive.id].settings.diff_threshold == 12.0
    assert signals._models[other].settings.diff_threshold == StaticForegroundSettings().diff_threshold


def _exposition(metrics: DetectMetrics) -> str:
    from prometheus_client import generate_latest

    return generate_latest(metrics.registry).decode()


def test_static_foreground_boxes_join_the_detections_of_enabled_cameras() -> None:
    settings = StaticForegroundSettings(warmup_s=0.0, min_static_s=4.0, fast_tau_s=1.0, slow_tau_s=600.0)
    signals = StaticForegroundSignals(["cam-s"], settings=settings)
    pipeline = _pipeline(BrightBoxBackend(), extra_signals=signals)
    goods = [(60, 60, 120, 100)]  # appears at 10 s and stays (a stall put out on the sidewalk)
    frames = [make_frame("cam-s", i, [] if i < 5 else goods, captured_at=2.0 * i) for i in range(15)]
    frames += [make_frame("cam-t", i, [] if i < 5 else goods, captured_at=2.0 * i) for i in range(15)]
    outcomes = pipeline.process(frames)
    static_s = [
        o.message.detections.select(o.message.detections.model_free_mask) for o in outcomes[:15] if o.message
    ]
    static_t = [
        o.message.detections.select(o.message.detections.model_free_mask) for o in outcomes[15:] if o.message
    ]
    assert not any(len(d) for d in static_t), "cam-t has no static-foreground rule"
    assert not any(len(d) for d in static_s[:5]), "nothing was still yet"
    blob = static_s[-1]
    assert len(blob) == 1, "the stall became static foreground after standing still"
    assert blob.class_id.tolist() == [-1] and blob.class_name == ("static_foreground",)
    assert blob.kind == ("trading_object",)
    assert blob.xyxy[0, 0] <= 60 and blob.xyxy[0, 2] >= 120
    signals.drop(["cam-s"])
    assert len(signals) == 0


def _zone_camera(detection: CameraDetection) -> SiteCameras:
    """cam-z, 1920x1080 native, one parking zone: a sidewalk strip near the bottom right."""
    polygon = np.array([[1200, 850], [1800, 850], [1800, 1000], [1200, 1000]], np.float32)
    zone = ZoneView("z-1", "sidewalk", polygon, frozenset({ObjectKind.TWO_WHEELER}), False)
    return SiteCameras({"cam-z": CameraZones("cam-z", 1920, 1080, (zone,), detection)})


#: A bicycle far away: 18 x 12 px in a 1920x1080 frame, standing in the zone.
FAR_BIKE = (1500, 940, 1518, 952)


def test_zone_tiles_find_a_small_far_object_the_whole_frame_loses() -> None:
    frame = make_frame("cam-z", 0, [FAR_BIKE], size=(1920, 1080))
    whole = LowResolutionBackend(input_size=96)
    found_whole = _pipeline(whole, cameras=_zone_camera(CameraDetection(zone_tiles=False))).process([frame])
    assert found_whole[0].message is not None and len(found_whole[0].message.detections) == 0
    assert whole.seen_sizes == [(1920, 1080)]

    tiled = LowResolutionBackend(input_size=96)
    settings = CameraDetection(tile_scale=1.0, max_tiles=64, headroom=0.02, full_frame=False)
    outcome = _pipeline(tiled, cameras=_zone_camera(settings)).process([frame])[0]
    assert outcome.message is not None
    detections = outcome.message.detections
    assert detections.class_name == ("bicycle",)
    np.testing.assert_allclose(detections.xyxy[0], FAR_BIKE, atol=1.5)  # back in frame pixels
    assert set(tiled.seen_sizes) == {(96, 96)}, "every view is a tile at the model's own size"
    assert len(tiled.seen_sizes) > 1 and max(tiled.batch_sizes) <= tiled.max_batch_size


def test_tiles_of_several_cameras_share_model_batches() -> None:
    backend = LowResolutionBackend(input_size=96, max_batch_size=8)
    cameras = _zone_camera(CameraDetection(max_tiles=4, headroom=0.02, tile_scale=0.5, full_frame=False))
    frames = [make_frame("cam-z", i, [FAR_BIKE], size=(1920, 1080)) for i in range(2)]
    outcomes = _pipeline(backend, cameras=cameras).process(frames)
    views_per_frame = len(backend.seen_sizes) // 2
    assert 1 < views_per_frame <= 4
    assert backend.batch_sizes[0] == min(8, 2 * views_per_frame), "the frames' tiles filled one batch"
    assert all(o.message is not None for o in outcomes)


def test_a_zone_with_its_own_model_runs_on_it_and_the_message_names_both_models() -> None:
    main, other = LowResolutionBackend(input_size=96), LowResolutionBackend(input_size=128)
    main.model_id, other.model_id, other.model_version = "main-model", "zone-model", "z-1"
    strip = np.array([[100, 850], [700, 850], [700, 1000], [100, 1000]], np.float32)
    door = np.array([[1200, 850], [1800, 850], [1800, 1000], [1200, 1000]], np.float32)
    zones = (
        ZoneView("z-1", "strip", strip, frozenset({ObjectKind.TWO_WHEELER}), False),
        ZoneView("z-2", "door", door, frozenset({ObjectKind.TWO_WHEELER}), False, model="zone-model"),
    )
    settings = CameraDetection(max_tiles=64, headroom=0.02, full_frame=False)
    cameras = SiteCameras({"cam-z": CameraZones("cam-z", 1920, 1080, zones, settings)})
    pipeline = _pipeline(main, cameras=cameras, models={"zone-model": other})
    outcome = pipeline.process([make_frame("cam-z", 0, [FAR_BIKE], size=(1920, 1080))])[0]
    assert outcome.message is not None
    assert set(main.seen_sizes) == {(96, 96)} and set(other.seen_sizes) == {(128, 128)}
    assert outcome.message.model.id == "main-model+zone-model"
    assert outcome.message.detections.class_name == ("bicycle",), "the far bike stands in the door zone"
    with pytest.raises(LookupError, match="model 'nope' is not open in this worker"):
        pipeline.backend_for("nope")
