"""A small site for the streams tests: the example site's grids and people, with synthetic cameras."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gridwatch.config import SiteConfig, parse_site

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"
ZONE = [[100, 500], [1800, 500], [1800, 1000], [100, 1000]]


def parking_site(camera_ids: list[str], **rule: float) -> SiteConfig:
    """Cameras with one no-parking zone each (always active, inertia 1)."""
    return parse_site(parking_site_yaml(camera_ids, **rule), source="<test site>")


def parking_site_yaml(
    camera_ids: list[str], *, dwell_s: float = 5, clear_s: float = 3, cooldown_s: float = 0
) -> str:
    """The YAML text of :func:`parking_site`."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    micro_grid = data["cameras"][0]["micro_grid"]
    rule = {
        "kind": "ebike_parking",
        "dwell_s": dwell_s,
        "clear_s": clear_s,
        "cooldown_s": cooldown_s,
        "inertia": 1,
    }
    data["cameras"] = [
        {
            "id": camera_id,
            "name": f"test camera {camera_id}",
            "micro_grid": micro_grid,
            "location": {"lat": 30.13, "lon": 119.97},
            "resolution": [1920, 1080],
            "sample_fps": 1,
            "source": {"kind": "file", "path": f"var/footage/{camera_id}.mp4"},
            "zones": [{"id": "z-1", "name": "sidewalk", "polygon": ZONE, "rules": [rule]}],
        }
        for camera_id in camera_ids
    ]
    return yaml.safe_dump(data, allow_unicode=True)
