"""Dismiss a spot: add a :class:`~gridwatch.config.SpotException` to a camera in the site YAML, as a diff.

The file is edited as text at the camera's place (comments, order and layout of everything else stay: a
YAML round-trip library reflows flow collections), the result validated as a site before anything is
returned, and the change shown as a unified diff for review; writing it is the caller's choice. Like
``gridwatch replay promote``, it never edits a running site behind anyone's back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from gridwatch.config.errors import SiteConfigError
from gridwatch.config.loader import parse_site
from gridwatch.config.models_camera import SpotException
from gridwatch.config.yaml_edit import line_end as _line_end
from gridwatch.config.yaml_edit import mapping_value as _get
from gridwatch.config.yaml_edit import node_id as _id
from gridwatch.config.yaml_edit import unified
from gridwatch.config.yaml_lines import parse_yaml

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


class SpotEditError(ValueError):
    """A dismissal that cannot be added (no such camera, an id already used, an invalid result)."""


def _scalar(value: object) -> str:
    """A YAML scalar: plain where it reads back the same, else JSON-quoted (valid YAML)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str) and _PLAIN.fullmatch(value) and value.lower() not in _WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _entry(spot: SpotException, indent: int) -> str:
    """The exception as a block-sequence item at column ``indent``."""
    data = spot.model_dump(mode="json", exclude_none=True)
    lines = []
    for key, value in data.items():
        if key == "rules" and not value:
            continue  # every rule: left out
        if key == "polygon":
            text = "[" + ", ".join(f"[{_scalar(x)}, {_scalar(y)}]" for x, y in value) + "]"
        elif isinstance(value, list):
            text = "[" + ", ".join(_scalar(item) for item in value) + "]"
        else:
            text = _scalar(value)
        lines.append(f"{' ' * (indent + 2)}{key}: {text}")
    lines[0] = " " * indent + "- " + lines[0].lstrip()
    return "\n".join(lines)


def add_spot(text: str, camera_id: str, spot: SpotException, source: Path) -> tuple[str, str]:
    """(new text, unified diff) of the site YAML ``text`` with ``spot`` added to camera ``camera_id``."""
    root = parse_yaml(text).root
    cameras = None if root is None else _get(root, "cameras")
    if not isinstance(cameras, yaml.SequenceNode):
        raise SpotEditError(f"{source} has no cameras list")
    camera = next((c for c in cameras.value if _id(c) == camera_id), None)
    if not isinstance(camera, yaml.MappingNode) or camera.flow_style:
        known = [str(_id(c)) for c in cameras.value]
        if camera is None:
            more = ", ..." if len(known) > 8 else ""
            raise SpotEditError(f"{source} has no camera {camera_id!r} (it has {', '.join(known[:8])}{more})")
        raise SpotEditError(
            f"camera {camera_id} is written in flow style {{...}}; write it as a block to add to it"
        )
    column = camera.value[0][0].start_mark.column
    spots = _get(camera, "exceptions")
    if spots is None:
        block = f"{' ' * column}exceptions:\n{_entry(spot, column + 2)}"
        at = _line_end(text, camera.value[-1][1].end_mark.index)
    elif isinstance(spots, yaml.SequenceNode) and not spots.flow_style and spots.value:
        if any(
            isinstance(node := _get(s, "id"), yaml.ScalarNode) and node.value == spot.id for s in spots.value
        ):
            raise SpotEditError(f"camera {camera_id} already has an exception {spot.id!r}; choose another id")
        block = _entry(spot, spots.value[0].start_mark.column - 2)
        at = _line_end(text, spots.value[-1].end_mark.index)
    else:
        raise SpotEditError(f"camera {camera_id}'s exceptions are not a block list; edit them by hand")
    before = text[:at] if text[:at].endswith("\n") or not at else text[:at] + "\n"
    new = before + block + "\n" + text[at:]
    try:
        parse_site(new, source)
    except SiteConfigError as error:
        raise SpotEditError(f"the site with this exception would not be valid:\n{error.report()}") from None
    return new, unified(text, new, source)
