"""Promote: write chosen parameters back into the site YAML, as a reviewable unified diff.

The file is edited as text (comments, order and layout stay): a rule field that is present gets its value
replaced, a missing one is added to the rule's mapping (flow ``{...}`` or block style). The result is
validated as a site before anything is shown; nothing is written unless asked (``--write`` or ``--out``).
``conf`` is not a site setting (it is the detector's score threshold) and cannot be promoted.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml

from gridwatch.config import RuleKind, SiteConfigError, parse_site
from gridwatch.config.yaml_lines import parse_yaml
from replay.errors import ReplayError
from replay.params import CONF, Param


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with ``text``."""

    start: int
    end: int
    text: str
    what: str


def _get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _value_of(node: yaml.Node, key: str) -> str:
    """The scalar value of ``key`` in a mapping node, or ""."""
    entry = _get(node, key)
    return str(entry[1].value) if entry is not None and isinstance(entry[1], yaml.ScalarNode) else ""


def _matches(param: Param, camera: str, zone: str, kind: str, cameras: list[str] | None) -> bool:
    if cameras is not None and camera not in cameras:
        return False
    scope = param.scope
    if scope is None:
        return True
    if scope in {k.value for k in RuleKind}:
        return kind == scope
    if "/" in scope:
        return scope == f"{camera}/{zone}"
    return scope == camera


def _format(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _edit_rule(text: str, rule: yaml.MappingNode, field: str, value: str, what: str) -> Edit:
    existing = _get(rule, field)
    if existing is not None:
        node = existing[1]
        return Edit(node.start_mark.index, node.end_mark.index, value, what)
    if rule.flow_style:
        close = rule.end_mark.index - 1  # the "}"
        while close > 0 and text[close] != "}":
            close -= 1
        return Edit(close, close, f", {field}: {value}", what)
    first_key = rule.value[0][0]
    indent = " " * first_key.start_mark.column
    last_value = rule.value[-1][1]
    line_end = text.find("\n", last_value.end_mark.index)
    at = len(text) if line_end < 0 else line_end
    return Edit(at, at, f"\n{indent}{field}: {value}", what)


def plan(text: str, settings: dict[Param, float | int], cameras: list[str] | None) -> list[Edit]:
    """The edits that set ``settings`` on the matching rules; ReplayError when one matches nothing."""
    if any(p.name == CONF for p in settings):
        raise ReplayError(
            "conf is the detector's score threshold, not a site setting: set it where the detector is "
            "configured (the model's score_threshold); promote takes rule fields only"
        )
    root = parse_yaml(text).root
    found = _get(root, "cameras") if root is not None else None
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        raise ReplayError("the site file has no cameras list")
    edits: list[Edit] = []
    for param, value in settings.items():
        count = 0
        for camera in found[1].value:
            camera_id = _value_of(camera, "id")
            zones = _get(camera, "zones")
            if zones is None or not isinstance(zones[1], yaml.SequenceNode):
                continue
            for zone in zones[1].value:
                zone_id = _value_of(zone, "id")
                rules = _get(zone, "rules")
                if rules is None or not isinstance(rules[1], yaml.SequenceNode):
                    continue
                for rule in rules[1].value:
                    kind = _value_of(rule, "kind")
                    if isinstance(rule, yaml.MappingNode) and _matches(
                        param, camera_id, zone_id, kind, cameras
                    ):
                        what = f"{camera_id}/{zone_id} {kind}.{param.name}"
                        edits.append(_edit_rule(text, rule, param.name, _format(value), what))
                        count += 1
        if count == 0:
            raise ReplayError(f"{param.text}: no rule in the site file matches it")
    return edits


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` applied (from the end, so offsets stay valid)."""
    out = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[: edit.start] + edit.text + out[edit.end :]
    return out


def promote(path: Path, settings: dict[Param, float | int], cameras: list[str] | None) -> tuple[str, str]:
    """(new text, unified diff) of the site file with ``settings``; ReplayError if the result is invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReplayError(f"site file {path} cannot be read: {error}") from None
    new = apply(text, plan(text, settings, cameras))
    try:
        parse_site(new, path)
    except SiteConfigError as error:
        raise ReplayError(f"the promoted site would not be valid:\n{error.report()}") from None
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path.name}", f"b/{path.name}"
        )
    )
    return new, diff
