"""The shipped example is a valid small town; the generator makes valid full-size sites."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.site_generator import SiteSpec, SourceMix, dump_site_yaml, generate_site
from gridwatch.config import GeoJsonPolygon, Role, RuleKind, SiteConfig, load_site, parse_site
from gridwatch.config.yaml_lines import parse_yaml

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "site.yaml"


@pytest.fixture(scope="module")
def example() -> SiteConfig:
    return load_site(EXAMPLE)


@pytest.fixture(scope="module")
def full_size() -> dict[str, Any]:
    return generate_site(SiteSpec(cameras=1150, micro_grids=170, seed=1))


def test_example_is_a_small_town(example: SiteConfig) -> None:
    assert len(example.communities) >= 3
    assert len(example.micro_grids) == 12
    assert 35 <= len(example.cameras) <= 45
    assert {cls.code for cls in example.event_classes} >= {"06", "04", "01"}
    for micro_grid in example.micro_grids:
        assert example.leader_of(micro_grid.id).role is Role.LEADER
        assert 1 <= len(example.workers_of(micro_grid.id)) <= 3
    used = {rule.kind for camera in example.cameras for zone in camera.zones for rule in zone.rules}
    assert used == set(RuleKind)
    assert {camera.source.kind for camera in example.cameras} == {
        "rtsp",
        "http_snapshot",
        "file",
        "image_folder",
    }


def test_example_cameras_stand_in_their_micro_grid(example: SiteConfig) -> None:
    for camera in example.cameras:
        boundary = example.micro_grid(camera.micro_grid).boundary
        assert boundary is not None
        assert boundary.contains(camera.location.lat, camera.location.lon), camera.id


def test_full_size_site_validates_with_the_requested_size(full_size: dict[str, Any]) -> None:
    site = SiteConfig.model_validate(full_size)
    assert len(site.cameras) == 1150
    assert len(site.micro_grids) == 170
    assert all(site.cameras_in(mg.id) for mg in site.micro_grids)  # every micro-grid has a camera
    kinds = Counter(rule.kind for camera in site.cameras for zone in camera.zones for rule in zone.rules)
    assert set(kinds) == set(RuleKind)


def test_generated_cameras_stand_inside_their_micro_grid(full_size: dict[str, Any]) -> None:
    site = SiteConfig.model_validate(full_size)
    town = site.town.boundary
    assert town is not None
    for camera in site.cameras:
        boundary = site.micro_grid(camera.micro_grid).boundary
        assert isinstance(boundary, GeoJsonPolygon)
        assert boundary.contains(camera.location.lat, camera.location.lon), camera.id
        assert town.contains(camera.location.lat, camera.location.lon), camera.id


def test_generated_yaml_reads_back_identically(full_size: dict[str, Any]) -> None:
    text = dump_site_yaml(full_size)
    assert parse_site(text) == SiteConfig.model_validate(full_size)


def test_generator_is_deterministic_per_seed() -> None:
    small = SiteSpec(cameras=60, micro_grids=10, seed=5)
    assert dump_site_yaml(generate_site(small)) == dump_site_yaml(generate_site(small))
    other = SiteSpec(cameras=60, micro_grids=10, seed=6)
    assert dump_site_yaml(generate_site(small)) != dump_site_yaml(generate_site(other))


@pytest.mark.parametrize(
    ("spec", "communities"),
    [
        (SiteSpec(cameras=0, micro_grids=1), 1),
        (SiteSpec(cameras=5, micro_grids=9), 1),  # fewer cameras than micro-grids
        (SiteSpec(cameras=40, micro_grids=30, micro_grids_per_community=7), 4),
    ],
)
def test_generator_sizes(spec: SiteSpec, communities: int) -> None:
    site = SiteConfig.model_validate(generate_site(spec))
    assert (len(site.cameras), len(site.micro_grids), len(site.communities)) == (
        spec.cameras,
        spec.micro_grids,
        communities,
    )


@pytest.mark.parametrize("mix", [SourceMix.FILE, SourceMix.IMAGE_FOLDER])
def test_generator_single_source_kind(mix: SourceMix) -> None:
    site = SiteConfig.model_validate(generate_site(SiteSpec(cameras=20, micro_grids=4, sources=mix)))
    assert {camera.source.kind for camera in site.cameras} == {mix.value}


def test_generator_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError, match="micro_grids must be at least 1"):
        SiteSpec(micro_grids=0)


def test_generated_text_reads_the_same_under_yaml_1_1_and_1_2() -> None:
    data = generate_site(SiteSpec(cameras=60, micro_grids=8, seed=2))
    text = dump_site_yaml(data)
    assert parse_yaml(text).data == data
    assert yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == data
