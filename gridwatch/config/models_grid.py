"""The grid hierarchy: town (镇总网格) → community grid (村居网格) → micro-grid (微网格)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from gridwatch.config.geometry import point_in_polygon, polygon_problem
from gridwatch.config.models_common import ConfigModel, Identifier

Position = tuple[float, float]
"""A GeoJSON position: longitude, then latitude, in degrees."""


def _check_ring(ring: tuple[Position, ...]) -> tuple[Position, ...]:
    if len(ring) < 4:
        raise ValueError(
            f"a linear ring needs at least 4 positions (the last repeating the first), has {len(ring)}"
        )
    if ring[0] != ring[-1]:
        raise ValueError("a linear ring must end with its first position")
    for lon, lat in ring:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"position [{lon:g}, {lat:g}] is not [longitude, latitude] in degrees")
    problem = polygon_problem(ring[:-1])
    if problem:
        raise ValueError(problem)
    return ring


Ring = Annotated[tuple[Position, ...], AfterValidator(_check_ring)]
Rings = Annotated[tuple[Ring, ...], Field(min_length=1)]


class GeoJsonPolygon(ConfigModel):
    """A GeoJSON Polygon: an outer ring, then holes; positions are [longitude, latitude]."""

    type: Literal["Polygon"] = Field(description="GeoJSON geometry type.")
    coordinates: Rings = Field(description="Linear rings: the outer boundary first, then any holes.")

    def contains(self, lat: float, lon: float) -> bool:
        """Whether a point lies inside the outer ring and outside every hole."""
        outer, *holes = self.coordinates
        return point_in_polygon((lon, lat), outer) and not any(point_in_polygon((lon, lat), h) for h in holes)


class GeoJsonMultiPolygon(ConfigModel):
    """A GeoJSON MultiPolygon: several polygons, each an outer ring and its holes."""

    type: Literal["MultiPolygon"] = Field(description="GeoJSON geometry type.")
    coordinates: Annotated[tuple[Rings, ...], Field(min_length=1)] = Field(
        description="Polygons, each given as its linear rings (outer first)."
    )

    def contains(self, lat: float, lon: float) -> bool:
        """Whether a point lies inside any of the polygons."""
        return any(
            GeoJsonPolygon(type="Polygon", coordinates=rings).contains(lat, lon) for rings in self.coordinates
        )


Boundary = Annotated[GeoJsonPolygon | GeoJsonMultiPolygon, Field(discriminator="type")]


class GridLevel(StrEnum):
    """Where a grid sits in the hierarchy."""

    TOWN = "town"
    COMMUNITY = "community"
    MICRO_GRID = "micro_grid"


class MicroGrid(ConfigModel):
    """A micro-grid (微网格): the unit a worker answers for."""

    id: Identifier = Field(description="Unique id among all grids of the site.")
    name: str = Field(min_length=1, description="Name people use, e.g. 人民路东段微网格.")
    boundary: Boundary | None = Field(default=None, description="Optional GeoJSON outline (lon/lat).")


class CommunityGrid(ConfigModel):
    """A village or community grid (村居网格) and the micro-grids it is split into."""

    id: Identifier = Field(description="Unique id among all grids of the site.")
    name: str = Field(min_length=1, description="Name people use, e.g. 新桥社区.")
    boundary: Boundary | None = Field(default=None, description="Optional GeoJSON outline (lon/lat).")
    micro_grids: tuple[MicroGrid, ...] = Field(min_length=1, description="The micro-grids of this community.")


class TownGrid(ConfigModel):
    """The town grid (镇总网格) at the top of the hierarchy."""

    id: Identifier = Field(description="Unique id among all grids of the site.")
    name: str = Field(min_length=1, description="Name of the town, e.g. 清溪镇.")
    boundary: Boundary | None = Field(default=None, description="Optional GeoJSON outline (lon/lat).")


class GridHierarchy(ConfigModel):
    """Town → community grids → micro-grids."""

    town: TownGrid = Field(description="The town grid.")
    communities: tuple[CommunityGrid, ...] = Field(min_length=1, description="Community grids of the town.")

    def micro_grids(self) -> Iterator[tuple[CommunityGrid, MicroGrid]]:
        """Every micro-grid with its community, in file order."""
        for community in self.communities:
            for micro_grid in community.micro_grids:
                yield community, micro_grid
