"""Generate a full-size valid site for load tests (~1,150 cameras, ~170 micro-grids), same for a seed."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import yaml

from app import site_generator_names as names

_CENTRE_LAT, _CENTRE_LON = 30.25, 120.05
_CELL_DLAT, _CELL_DLON = 0.0045, 0.0055  # about 500 m by 530 m per micro-grid
_RESOLUTIONS = ((1920, 1080), (2560, 1440), (1280, 720))
_RULE_KINDS = ("ebike_parking", "storefront_trading", "mobile_vendor")


class SourceMix(StrEnum):
    """Which camera sources a generated site uses."""

    MIXED = "mixed"  # mostly RTSP, some HTTP snapshots, a few files: like a real camera pool
    FILE = "file"  # every camera replays var/footage/<camera id>.mp4
    IMAGE_FOLDER = "image_folder"  # every camera reads var/footage/<camera id>/


@dataclass(frozen=True)
class SiteSpec:
    """The size and flavour of a generated site."""

    cameras: int = 1150
    micro_grids: int = 170
    seed: int = 1
    micro_grids_per_community: int = 12
    sources: SourceMix = SourceMix.MIXED

    def __post_init__(self) -> None:
        if self.cameras < 0:
            raise ValueError(f"cameras must not be negative, got {self.cameras}")
        if self.micro_grids < 1:
            raise ValueError(f"micro_grids must be at least 1, got {self.micro_grids}")
        if self.micro_grids_per_community < 1:
            raise ValueError(
                f"micro_grids_per_community must be at least 1, got {self.micro_grids_per_community}"
            )


def _ring(row: int, col: int, origin: tuple[float, float]) -> list[list[float]]:
    lat0, lon0 = origin[0] + row * _CELL_DLAT, origin[1] + col * _CELL_DLON
    corners = [
        (lon0, lat0),
        (lon0 + _CELL_DLON, lat0),
        (lon0 + _CELL_DLON, lat0 + _CELL_DLAT),
        (lon0, lat0 + _CELL_DLAT),
    ]
    return [[round(lon, 6), round(lat, 6)] for lon, lat in [*corners, corners[0]]]


class _Builder:
    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.cols = max(1, math.ceil(math.sqrt(spec.micro_grids * 1.3)))
        self.rows = math.ceil(spec.micro_grids / self.cols)
        self.origin = (_CENTRE_LAT - self.rows * _CELL_DLAT / 2, _CENTRE_LON - self.cols * _CELL_DLON / 2)
        self.used_names: set[str] = set()
        self.person_count = 0

    def person_name(self) -> str:
        for _ in range(1000):
            given = "".join(self.rng.choice(names.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(names.SURNAMES) + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return f"{self.rng.choice(names.SURNAMES)}{len(self.used_names)}"

    def person(self, role: str, grid: str, **extra: Any) -> dict[str, Any]:
        self.person_count += 1
        pid = f"p-{self.person_count:05d}"
        phone = f"13{self.rng.randrange(10**9):09d}"
        channels: list[dict[str, Any]] = [{"kind": "webpush"}]
        channels.append(
            {"kind": "wecom", "user_id": pid.replace("-", "")}
            if self.rng.random() < 0.7
            else {"kind": "sms", "phone": phone}
        )
        return {
            "id": pid,
            "name": self.person_name(),
            "role": role,
            "grid": grid,
            **extra,
            "phone": phone,
            "channels": channels,
        }

    def grid(self) -> dict[str, Any]:
        spec = self.spec
        n_communities = max(1, round(spec.micro_grids / spec.micro_grids_per_community))
        stems = list(names.COMMUNITY_STEMS)
        self.rng.shuffle(stems)
        communities = []
        cell = 0
        for c in range(n_communities):
            size = spec.micro_grids // n_communities + (1 if c < spec.micro_grids % n_communities else 0)
            stem = stems[c % len(stems)] + ("" if c < len(stems) else str(c // len(stems) + 1))
            cname = stem + self.rng.choice(names.COMMUNITY_SUFFIXES)
            micro_grids, rings = [], []
            for m in range(size):
                ring = _ring(*divmod(cell, self.cols), self.origin)
                rings.append([ring])
                micro_grids.append(
                    {
                        "id": f"mg-{cell + 1:03d}",
                        "name": f"{cname}第{m + 1}微网格",
                        "boundary": {"type": "Polygon", "coordinates": [ring]},
                    }
                )
                cell += 1
            communities.append(
                {
                    "id": f"cg-{c + 1:02d}",
                    "name": cname,
                    "boundary": {"type": "MultiPolygon", "coordinates": rings},
                    "micro_grids": micro_grids,
                }
            )
        lat0, lon0 = self.origin
        lat1, lon1 = lat0 + self.rows * _CELL_DLAT, lon0 + self.cols * _CELL_DLON
        town_ring = [
            [round(a, 6), round(b, 6)]
            for a, b in [(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1), (lon0, lat0)]
        ]
        town_name = names.TOWN_NAMES[(spec.seed - 1) % len(names.TOWN_NAMES)]
        return {
            "town": {
                "id": "town",
                "name": town_name,
                "boundary": {"type": "Polygon", "coordinates": [town_ring]},
            },
            "communities": communities,
        }

    def source(self, index: int, camera_id: str) -> dict[str, Any]:
        mix = self.spec.sources
        # Reserved names (RFC 2606) that never resolve: a generated site never reaches a real host.
        host = f"{camera_id}.pool.example"
        if mix is SourceMix.FILE or (mix is SourceMix.MIXED and index % 20 == 19):
            return {"kind": "file", "path": f"var/footage/{camera_id}.mp4", "realtime": True, "loop": True}
        if mix is SourceMix.IMAGE_FOLDER:
            return {"kind": "image_folder", "path": f"var/footage/{camera_id}", "timestamps": "sidecar"}
        if index % 5 == 3:
            return {
                "kind": "http_snapshot",
                "url": f"http://{host}/ISAPI/Streaming/channels/101/picture",
                "auth": "digest",
                "username_env": "CAM_POOL_USER",
                "password_env": "CAM_POOL_PASSWORD",
                "timeout_s": 5,
            }
        return {
            "kind": "rtsp",
            "url": f"rtsp://{host}:554/Streaming/Channels/101",
            "username_env": "CAM_POOL_USER",
            "password_env": "CAM_POOL_PASSWORD",
            "decode": "keyframes",
        }

    def polygon(self, width: int, height: int, upper: bool) -> list[list[int]]:
        rng = self.rng
        top = rng.uniform(0.15, 0.3) if upper else rng.uniform(0.5, 0.65)
        bottom = top + rng.uniform(0.2, 0.3)
        left, right = rng.uniform(0.03, 0.3), rng.uniform(0.7, 0.97)
        inset = rng.uniform(0.02, 0.1)
        points = [(left + inset, top), (right - inset, top), (right, bottom), (left, bottom)]
        return [[round(x * width), round(y * height)] for x, y in points]

    def rule(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        rule: dict[str, Any] = {"kind": kind}
        if kind == "ebike_parking":
            rule |= {
                "dwell_s": rng.choice((300, 600, 900)),
                "min_count": rng.choice((1, 2, 3)),
                "min_box": {"width": 40, "height": 40},
                "clear_s": 120,
                "cooldown_s": 1800,
            }
        elif kind == "storefront_trading":
            rule |= {
                "dwell_s": rng.choice((600, 900, 1200)),
                "signal": rng.choice(("detections", "static_foreground", "both")),
                "clear_s": 300,
                "cooldown_s": 3600,
                "active_hours": [{"start": "07:00", "end": "21:00"}],
            }
        else:
            rule |= {
                "dwell_s": rng.choice((180, 300)),
                "clear_s": 120,
                "cooldown_s": 1800,
                "active_hours": [{"start": "06:00", "end": "09:00"}, {"start": "17:00", "end": "02:00"}],
            }
        return rule

    def camera(self, index: int, micro_grid: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        camera_id = f"cam-{index + 1:04d}"
        ring = micro_grid["boundary"]["coordinates"][0]
        lon = rng.uniform(ring[0][0] + _CELL_DLON * 0.05, ring[1][0] - _CELL_DLON * 0.05)
        lat = rng.uniform(ring[0][1] + _CELL_DLAT * 0.05, ring[2][1] - _CELL_DLAT * 0.05)
        width, height = rng.choice(_RESOLUTIONS)
        street, cross = rng.sample(names.STREETS, 2)
        name = (
            f"{street}与{cross}交叉口{rng.choice(names.CORNERS)}"
            if rng.random() < 0.6
            else f"{street}{rng.choice(names.PLACES)}门前"
        )
        kinds = [_RULE_KINDS[index % 3]]
        if index % 4 == 0:
            kinds.append(_RULE_KINDS[(index + 1) % 3])
        zones = []
        for z, kind in enumerate(kinds):
            zones.append(
                {
                    "id": f"z-{z + 1}",
                    "name": rng.choice(names.ZONE_NAMES[kind]),
                    "polygon": self.polygon(width, height, upper=z > 0),
                    "rules": [self.rule(kind)],
                }
            )
        return {
            "id": camera_id,
            "name": name,
            "micro_grid": micro_grid["id"],
            "location": {"lat": round(lat, 6), "lon": round(lon, 6)},
            "resolution": [width, height],
            "sample_fps": rng.choice((0.5, 0.5, 1.0, 0.2)),
            "source": self.source(index, camera_id),
            "zones": zones,
        }

    def cameras(self, micro_grids: list[dict[str, Any]]) -> list[dict[str, Any]]:
        count = self.spec.cameras
        owners = list(range(len(micro_grids)))[:count]
        owners += [self.rng.randrange(len(micro_grids)) for _ in range(count - len(owners))]
        owners.sort()
        return [self.camera(i, micro_grids[m]) for i, m in enumerate(owners)]

    def people_and_rosters(self, micro_grids: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
        people: list[dict[str, Any]] = []
        rosters: list[dict[str, Any]] = []
        weekdays, weekend = ["mon", "tue", "wed", "thu", "fri"], ["sat", "sun"]
        for micro_grid in micro_grids:
            people.append(self.person("leader", micro_grid["id"]))
            workers = [self.person("worker", micro_grid["id"]) for _ in range(self.rng.choice((1, 2, 2, 3)))]
            people.extend(workers)
            ids = [w["id"] for w in workers]
            if len(ids) == 1:
                shifts = [{"person": ids[0], "start": "08:00", "end": "18:00"}]
            else:
                shifts = [
                    {"person": ids[0], "days": weekdays, "start": "08:00", "end": "17:30"},
                    {"person": ids[1], "days": weekend, "start": "08:00", "end": "17:30"},
                    {"person": ids[1], "days": weekdays, "start": "17:30", "end": "21:00"},
                ]
                if len(ids) == 3:
                    shifts.append({"person": ids[2], "start": "18:00", "end": "02:00"})
            rosters.append({"grid": micro_grid["id"], "shifts": shifts})
        for department in ("chengguan", "scjg"):
            people.extend(self.person("department", "town", department=department) for _ in range(2))
        people.extend(self.person("operator", "town") for _ in range(3))
        return people, rosters

    def site(self) -> dict[str, Any]:
        grid = self.grid()
        micro_grids = [mg for community in grid["communities"] for mg in community["micro_grids"]]
        cameras = self.cameras(micro_grids)
        people, rosters = self.people_and_rosters(micro_grids)
        town = grid["town"]["name"]
        return {
            "site": {
                "id": f"generated-{self.spec.seed}",
                "name": f"{town}城市运行中心",
                "timezone": "Asia/Shanghai",
            },
            "calendar": standard_calendar(),
            "departments": [
                {"id": "chengguan", "name": "城管执法中队"},
                {"id": "scjg", "name": "市场监管所"},
            ],
            "grid": grid,
            "cameras": cameras,
            "people": people,
            "rosters": rosters,
            "event_classes": standard_event_classes(),
        }


def standard_calendar() -> dict[str, Any]:
    """Mainland-China office hours with the 2026 public holidays and make-up workdays."""
    return {
        "working_hours": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:30", "end": "12:00"},
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "13:30", "end": "17:30"},
        ],
        "holidays": [
            "2026-01-01",
            "2026-02-16",
            "2026-02-17",
            "2026-02-18",
            "2026-02-19",
            "2026-02-20",
            "2026-04-06",
            "2026-05-01",
            "2026-05-04",
            "2026-05-05",
            "2026-06-19",
            "2026-10-01",
            "2026-10-02",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07",
        ],
        "extra_workdays": ["2026-02-14", "2026-02-28", "2026-05-09", "2026-09-27", "2026-10-10"],
    }


def standard_event_classes() -> list[dict[str, Any]]:
    """The three street-order classes with typical time limits."""
    chain = ["worker", "leader", "department"]
    return [
        {
            "code": "06",
            "name": "非机动车乱停放",
            "rules": ["ebike_parking"],
            "department": "chengguan",
            "accept_within_h": 0.5,
            "handle_within_h": 2,
            "remind_before_h": 0.5,
            "review": "auto",
            "on_end_before_handling": "close",
            "escalation": chain,
        },
        {
            "code": "04",
            "name": "店外经营",
            "rules": ["storefront_trading"],
            "department": "chengguan",
            "accept_within_h": 1,
            "handle_within_h": 4,
            "remind_before_h": 1,
            "review": "operator",
            "on_end_before_handling": "keep",
            "escalation": chain,
        },
        {
            "code": "01",
            "name": "无照经营游商",
            "rules": ["mobile_vendor"],
            "department": "scjg",
            "accept_within_h": 0.5,
            "handle_within_h": 2,
            "remind_before_h": 0.5,
            "review": "operator",
            "on_end_before_handling": "close",
            "escalation": chain,
        },
    ]


def generate_site(spec: SiteSpec) -> dict[str, Any]:
    """A full site as plain data (what the YAML file holds); the same spec always gives the same site."""
    return _Builder(spec).site()


def dump_site_yaml(data: dict[str, Any]) -> str:
    """Site data as YAML text, keys in their natural order, Chinese left readable."""
    header = "# Generated by `gridwatch site generate`; edit the generator rather than this file.\n"
    return header + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None
    )
