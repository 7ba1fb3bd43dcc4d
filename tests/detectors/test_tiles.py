"""Zone tiles: which crops cover a camera's zones, and how their boxes become one frame's detections."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from detectors.tiles import TilePlan, merge_views, plan_tiles, zone_regions, zoom_views
from gridwatch.config import CameraDetection
from gridwatch.detections import Detections, ObjectKind

W, H = 1920, 1080
#: A sidewalk strip across the lower part of a 1080p frame.
STRIP = np.array([[100, 800], [1800, 800], [1800, 1000], [100, 1000]], np.float32)
#: A shop front, 200 x 150 px.
DOOR = np.array([[900, 500], [1100, 500], [1100, 650], [900, 650]], np.float32)


def _input(side: int) -> Callable[[str | None], int]:
    """Every model's input side is ``side``."""
    return lambda _model: side


def _covered(plan: TilePlan, region: tuple[float, float, float, float]) -> bool:
    """Whether every pixel of ``region`` lies in some view (checked on a 10-px grid)."""
    x1, y1, x2, y2 = region
    for x in np.arange(x1, x2, 10):
        for y in np.arange(y1, y2, 10):
            if not any(a <= x < c and b <= y < d for a, b, c, d in plan.views):
                return False
    return True


def test_no_zones_or_tiles_off_is_the_whole_frame() -> None:
    assert plan_tiles([], W, H, _input(512), CameraDetection(full_frame=False)).views == ((0, 0, W, H),)
    off = CameraDetection(zone_tiles=False)
    assert plan_tiles([(STRIP, None)], W, H, _input(512), off).views == ((0, 0, W, H),)


def test_a_small_zone_gets_one_tile_at_model_resolution_with_headroom() -> None:
    plan = plan_tiles([(DOOR, None)], W, H, _input(300), CameraDetection(headroom=0.1, full_frame=False))
    ((x1, y1, x2, y2),) = plan.views
    assert (x2 - x1, y2 - y1) == (300, 300), "one model input of frame pixels: objects at their own size"
    (region,) = zone_regions([DOOR], W, H, 0.1)
    assert region[1] == pytest.approx(500 - 108)  # 10% of the frame height above the zone's top
    assert x1 <= region[0] and region[2] <= x2 and y1 <= region[1] and region[3] <= y2


def test_a_wide_zone_is_covered_by_overlapping_tiles_within_the_frame() -> None:
    settings = CameraDetection(headroom=0.15, tile_overlap=0.25, max_tiles=16, full_frame=False)
    plan = plan_tiles([(STRIP, None)], W, H, _input(512), settings)
    assert 2 <= len(plan.views) <= 16
    assert all(0 <= x1 < x2 <= W and 0 <= y1 < y2 <= H for x1, y1, x2, y2 in plan.views)
    assert all((x2 - x1, y2 - y1) == (512, 512) for x1, y1, x2, y2 in plan.views)
    (region,) = zone_regions([STRIP], W, H, 0.15)
    assert _covered(plan, region)
    lefts = sorted({v[0] for v in plan.views})
    shared = [(a + 512) - b for a, b in itertools.pairwise(lefts)]
    assert min(shared) >= 0.25 * 512 - 1, "neighbours share at least tile_overlap of a side"


def test_the_tile_count_is_capped_by_covering_at_a_lower_scale() -> None:
    settings = CameraDetection(tile_scale=2.0, max_tiles=3, full_frame=False, coarse_tiles=False)
    plan = plan_tiles([(STRIP, None)], W, H, _input(512), settings)
    assert len(plan.views) <= 3
    (region,) = zone_regions([STRIP], W, H, settings.headroom)
    assert _covered(plan, region)


def test_magnifying_tiles_get_a_coarse_level_at_the_model_s_own_size() -> None:
    """At tile_scale 2 a zone is also covered by tiles of one model input of frame pixels (scale 1), where
    an object larger than a magnified tile is seen whole; not at a scale under 1.5, nor when turned off."""
    settings = CameraDetection(tile_scale=2.0, full_frame=False, max_tiles=64)
    (region,) = zone_regions([STRIP], W, H, settings.headroom)
    plan = plan_tiles([(STRIP, None)], W, H, _input(300), settings)
    sides = [x2 - x1 for x1, _y1, x2, _y2 in plan.views]
    fine = [v for v, side in zip(plan.views, sides, strict=True) if side == 150]
    coarse = [v for v, side in zip(plan.views, sides, strict=True) if side == 300]
    assert len(fine) + len(coarse) == len(plan.views) and fine and coarse
    assert _covered(TilePlan(W, H, tuple(coarse)), region), "the coarse level covers the zone by itself"
    assert len(coarse) < len(fine) / 2
    off = plan_tiles([(STRIP, None)], W, H, _input(300), settings.model_copy(update={"coarse_tiles": False}))
    assert off.views == tuple(fine)
    mild = plan_tiles([(STRIP, None)], W, H, _input(300), settings.model_copy(update={"tile_scale": 1.4}))
    assert {x2 - x1 for x1, _y1, x2, _y2 in mild.views} == {round(300 / 1.4)}


def test_full_frame_adds_the_whole_frame_as_a_view() -> None:
    plan = plan_tiles([(DOOR, None)], W, H, _input(300), CameraDetection(full_frame=True, headroom=0.1))
    assert plan.views[0] == (0, 0, W, H) and len(plan.views) == 2


def test_overlapping_zones_share_tiles_and_distant_ones_do_not_merge() -> None:
    near = DOOR + np.array([150, 0], np.float32)
    assert len(zone_regions([DOOR, near], W, H, 0.0)) == 1
    far = DOOR + np.array([-800, 0], np.float32)
    assert len(zone_regions([DOOR, far], W, H, 0.0)) == 2


def _dets(rows: list[tuple[float, float, float, float, float, ObjectKind]]) -> Detections:
    if not rows:
        return Detections.empty()
    return Detections(
        np.array([r[:4] for r in rows], np.float32),
        np.array([r[4] for r in rows], np.float32),
        np.zeros(len(rows), np.int64),
        tuple(k.value for *_, k in rows),
        tuple(k for *_, k in rows),
    )


BIKE = ObjectKind.TWO_WHEELER


def test_views_map_back_to_the_frame_and_a_cut_object_is_kept_whole_once() -> None:
    plan = TilePlan(W, H, ((0, 600, 500, 1100), (400, 600, 900, 1100)))
    # a bike at frame x 440..520: the first tile cuts it at its right edge (x 500), the second sees it whole
    first = _dets([(440, 100, 500, 200, 0.9, BIKE), (10, 10, 60, 90, 0.5, ObjectKind.PERSON)])
    second = _dets([(40, 100, 120, 200, 0.6, BIKE)])
    merged = merge_views(plan, [first, second])
    assert len(merged) == 2
    bike = merged.select(np.array([k is BIKE for k in merged.kind]))
    assert bike.xyxy[0].tolist() == [440, 700, 520, 800], "the whole box, despite its lower score"
    person = merged.select(np.array([k is ObjectKind.PERSON for k in merged.kind]))
    assert person.xyxy[0].tolist() == [10, 610, 60, 690]


def test_different_kinds_in_one_place_are_both_kept() -> None:
    plan = TilePlan(W, H, ((0, 0, 600, 600), (300, 0, 900, 600)))
    rider = _dets([(350, 100, 400, 300, 0.8, ObjectKind.PERSON)])
    bike = _dets([(50, 150, 110, 300, 0.7, BIKE)])  # at frame x 350..410
    merged = merge_views(plan, [rider, bike])
    assert sorted(k.value for k in merged.kind) == ["person", "two_wheeler"]


def test_a_result_per_view_is_required() -> None:
    with pytest.raises(ValueError, match="1 results for 2 views"):
        merge_views(TilePlan(W, H, ((0, 0, 10, 10), (5, 0, 15, 10))), [Detections.empty()])


def test_a_static_region_in_a_zone_gets_a_magnified_view() -> None:
    settings = CameraDetection(zoom_static=1, zoom=2.5, full_frame=False)
    plan = plan_tiles([(STRIP, None)], W, H, _input(512), settings)
    bike = (1000.0, 900.0, 1030.0, 950.0)  # 30 x 50 px, standing in the strip
    zoomed = zoom_views([bike, (1500.0, 880.0, 1520.0, 900.0)], plan, _input(512), settings)
    assert zoomed.views[: len(plan.views)] == plan.views
    ((x1, y1, x2, y2),) = zoomed.views[len(plan.views) :]  # zoom_static=1: the first region only
    assert x2 - x1 == y2 - y1 == 125  # 2.5 x 50 px: the model sees it at 512 / 125 = 4.1 x
    assert x1 <= 1000 and x2 >= 1030 and y1 <= 900 and y2 >= 950


def test_regions_outside_the_zone_tiles_or_zoom_off_add_nothing() -> None:
    plan = plan_tiles([(STRIP, None)], W, H, _input(512), CameraDetection(full_frame=False))
    sky = (900.0, 50.0, 960.0, 120.0)
    assert zoom_views([sky], plan, _input(512), CameraDetection(full_frame=False)).views == plan.views
    bike = (1000.0, 900.0, 1030.0, 950.0)
    assert (
        zoom_views([bike], plan, _input(512), CameraDetection(zoom_static=0, full_frame=False)).views
        == plan.views
    )


def test_a_zone_with_its_own_model_gets_tiles_sized_for_that_model() -> None:
    sizes = {None: 512, "ssdlite-mobilenetv2-coco90": 300}
    settings = CameraDetection(headroom=0.05, max_tiles=16, full_frame=False)
    plan = plan_tiles(
        [(STRIP, None), (DOOR, "ssdlite-mobilenetv2-coco90")], W, H, sizes.__getitem__, settings
    )
    assert set(plan.models) == {None, "ssdlite-mobilenetv2-coco90"}
    for (x1, y1, x2, y2), model in zip(plan.views, plan.models, strict=True):
        assert x2 - x1 == y2 - y1 == sizes[model]
    door_tiles = [v for v, m in zip(plan.views, plan.models, strict=True) if m is not None]
    (region,) = zone_regions([DOOR], W, H, 0.05)
    assert _covered(TilePlan(W, H, tuple(door_tiles)), region)
    camera_model = CameraDetection(model="ssdlite-mobilenetv2-coco90", zone_tiles=False)
    whole = plan_tiles([(STRIP, None)], W, H, sizes.__getitem__, camera_model)
    assert whole.views == ((0, 0, W, H),) and whole.models == ("ssdlite-mobilenetv2-coco90",)


@pytest.mark.parametrize(("width", "scale"), [(1920, 1.0), (960, 2.0), (480, 4.0), (320, 4.0), (2560, 1.0)])
def test_auto_scale_magnifies_frames_to_a_1080p_cameras_pixels(width: int, scale: float) -> None:
    assert CameraDetection().scale_for(width) == scale
    assert CameraDetection(tile_scale=1.5).scale_for(width) == 1.5


def test_a_tile_scale_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"tile_scale must be auto or a number above 0\.1 and at most 4"):
        CameraDetection(tile_scale=6.0)
