"""Promote a detection model or a verifier to cameras in the site YAML, and roll it back, as reviewed diffs.

A promotion sets one field: a camera's ``detection.model`` or ``detection.verifier``, or a zone's ``model``.
The file is edited as text at the camera's place (an existing ``detection:`` mapping, flow ``{...}`` or
block, gets the key replaced or added; a camera without one gets one), so comments and layout of everything
else stay; the result is validated as a site before anything is returned, and the change is a unified diff.

Writing is the caller's choice (:func:`write_edit`): it appends one line per changed field to a log beside
the site file (``SITE.yaml.promotions.jsonl``): when, who, where, the field, its previous value and its new
one. A rollback finds the latest promotion of a camera/zone/field not rolled back yet, restores its previous
value (removing the key when there was none) and is logged too, naming the promotion it undid, so the next
rollback goes one step further back.

What is a valid model id or verifier is for the caller to check (the kernel knows no catalogue).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from gridwatch.config.errors import SiteConfigError
from gridwatch.config.loader import parse_site
from gridwatch.config.yaml_edit import last_end, line_end, mapping_value, node_id, unified
from gridwatch.config.yaml_lines import parse_yaml

#: The log beside ``SITE.yaml`` is ``SITE.yaml`` + this.
LOG_SUFFIX = ".promotions.jsonl"

Clock = Callable[[], datetime]


class PromotionError(ValueError):
    """A promotion or rollback that cannot be made (no such camera or zone, nothing to roll back, a field
    changed by hand since, an invalid result)."""


class PromotionField(StrEnum):
    """Which field a promotion sets."""

    MODEL = "model"
    VERIFIER = "verifier"


class PromotionEntry(BaseModel):
    """One line of the promotion log: a field of a camera (or zone) set by a promotion or a rollback."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1, description="Number of the entry in the log, from 1.")
    at: AwareDatetime = Field(description="When it was written (UTC).")
    by: str | None = Field(default=None, max_length=64, description="Who made it (a person id).")
    action: Literal["promote", "rollback"] = Field(description="A promotion, or the rollback of one.")
    camera: str = Field(min_length=1, description="The camera's id.")
    zone: str | None = Field(default=None, description="The zone's id (a zone's model); null: the camera's.")
    field: PromotionField = Field(
        description="model (detection.model, or the zone's model) or verifier (detection.verifier)."
    )
    previous: str | None = Field(description="The field's value before, as written; null: it was not set.")
    value: str | None = Field(description="The field's value after; null: the key was removed.")
    promoted: str | None = Field(
        default=None,
        description="The id that was promoted (a model id, or the id of the verifier whose folder `value` "
        "is); null for a rollback.",
    )
    undoes: int | None = Field(default=None, ge=1, description="A rollback: the seq of the promotion undone.")


@dataclass(frozen=True, slots=True)
class Target:
    """A field of a camera, or of one of its zones."""

    camera: str
    zone: str | None
    field: PromotionField

    def __post_init__(self) -> None:
        if self.zone is not None and self.field is not PromotionField.MODEL:
            raise PromotionError(
                f"a zone has a model only; a verifier is set per camera (detection.verifier), "
                f"not for zone {self.zone}"
            )

    @property
    def where(self) -> str:
        """``cam-0003 detection.model`` or ``cam-0003/z-1 model``, for messages."""
        if self.zone is not None:
            return f"{self.camera}/{self.zone} model"
        return f"{self.camera} detection.{self.field.value}"

    def matches(self, entry: PromotionEntry) -> bool:
        """Whether a log entry is about this field."""
        return (entry.camera, entry.zone, entry.field) == (self.camera, self.zone, self.field)


@dataclass(frozen=True, slots=True)
class SiteEdit:
    """A reviewed change of the site file: the new text, its diff, and the log entries writing it adds."""

    text: str
    diff: str
    entries: tuple[PromotionEntry, ...]


@dataclass(frozen=True, slots=True)
class _Edit:
    """Replace text[start:end] with ``text``."""

    start: int
    end: int
    text: str


def log_path(site: Path) -> Path:
    """The promotion log beside a site file."""
    return site.with_name(site.name + LOG_SUFFIX)


def read_log(path: Path) -> list[PromotionEntry]:
    """The entries of a promotion log (none when there is no log); PromotionError naming a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise PromotionError(f"the promotion log {path} cannot be read: {error}") from None
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entries.append(PromotionEntry.model_validate_json(line))
        except ValidationError as error:
            raise PromotionError(f"{path}:{number}: not a promotion entry: {error}") from None
    return entries


def camera_ids(text: str) -> list[str]:
    """The ids of the cameras of site YAML ``text``, in file order."""
    return [str(node_id(camera)) for camera in _cameras(text).value]


def current_value(text: str, target: Target) -> str | None:
    """The value the field has in site YAML ``text`` (as written); None when it is not set."""
    camera = _camera(_cameras(text), target.camera)
    container = _container(camera, target)
    node = None if container is None else mapping_value(container, _key(target))
    return _scalar_value(node, target)


def plan_promotion(
    text: str,
    source: Path,
    targets: Sequence[Target],
    value: str,
    *,
    promoted: str,
    by: str | None,
    clock: Clock,
    log: Sequence[PromotionEntry] = (),
) -> SiteEdit:
    """The site YAML ``text`` with each target's field set to ``value``; targets that have it already are
    left alone (no entry). PromotionError for an unknown camera or zone, or an invalid result."""
    cameras = _cameras(text)
    edits: list[_Edit] = []
    changes: list[tuple[Target, str | None]] = []
    for target in targets:
        camera = _camera(cameras, target.camera)
        previous = current_value(text, target)
        if previous == value:
            continue
        edits.append(_set(text, camera, target, _scalar(value)))
        changes.append((target, previous))
    new = _apply(text, edits)
    if changes:
        _validate(new, source, "promoted")
    at = clock()
    seq = max((entry.seq for entry in log), default=0)
    entries = tuple(
        PromotionEntry(
            seq=seq + n,
            at=at,
            by=by,
            action="promote",
            camera=target.camera,
            zone=target.zone,
            field=target.field,
            previous=previous,
            value=value,
            promoted=promoted,
        )
        for n, (target, previous) in enumerate(changes, 1)
    )
    return SiteEdit(new, unified(text, new, source), entries)


def latest_promotion(log: Sequence[PromotionEntry], target: Target) -> PromotionEntry | None:
    """The latest promotion of ``target`` that no rollback has undone."""
    undone = {entry.undoes for entry in log if entry.action == "rollback"}
    open_ = [e for e in log if e.action == "promote" and target.matches(e) and e.seq not in undone]
    return max(open_, key=lambda entry: entry.seq, default=None)


def plan_rollback(
    text: str,
    source: Path,
    target: Target,
    *,
    by: str | None,
    clock: Clock,
    log: Sequence[PromotionEntry],
) -> SiteEdit:
    """The site YAML ``text`` with the latest open promotion of ``target`` undone: its previous value back,
    or the key removed where there was none. PromotionError when there is nothing to roll back, when the
    field no longer has the value that promotion set (changed by hand since), or for an invalid result."""
    promotion = latest_promotion(log, target)
    if promotion is None:
        raise PromotionError(
            f"nothing to roll back: the promotion log has no open promotion of {target.where}"
        )
    cameras = _cameras(text)
    camera = _camera(cameras, target.camera)
    now = current_value(text, target)
    if now != promotion.value:
        raise PromotionError(
            f"{target.where} is {_shown(now)} in the site file, not {_shown(promotion.value)} as promotion "
            f"#{promotion.seq} set it: it was changed by hand since; edit it by hand"
        )
    if promotion.previous is None:
        edit = _remove(text, camera, target)
    else:
        edit = _set(text, camera, target, _scalar(promotion.previous))
    new = _apply(text, [edit])
    _validate(new, source, "rolled-back")
    entry = PromotionEntry(
        seq=max(entry.seq for entry in log) + 1,
        at=clock(),
        by=by,
        action="rollback",
        camera=target.camera,
        zone=target.zone,
        field=target.field,
        previous=now,
        value=promotion.previous,
        undoes=promotion.seq,
    )
    return SiteEdit(new, unified(text, new, source), (entry,))


def write_edit(site: Path, edit: SiteEdit) -> None:
    """Log the edit's entries, then write the site file. (Logged first: should the site not be written, the
    next rollback finds the field without the value the entry names and refuses, rather than a change made
    without a log line.)"""
    if edit.entries:
        lines = "".join(entry.model_dump_json() + "\n" for entry in edit.entries)
        with log_path(site).open("a", encoding="utf-8") as out:
            out.write(lines)
    site.write_text(edit.text, encoding="utf-8")


# --- the node tree --------------------------------------------------------------------------------------
def _cameras(text: str) -> yaml.SequenceNode:
    try:
        root = parse_yaml(text).root
    except yaml.YAMLError as error:
        raise PromotionError(f"the site file is not valid YAML: {error}") from None
    cameras = None if root is None else mapping_value(root, "cameras")
    if not isinstance(cameras, yaml.SequenceNode):
        raise PromotionError("the site file has no cameras list")
    return cameras


def _camera(cameras: yaml.SequenceNode, camera_id: str) -> yaml.MappingNode:
    camera = next((c for c in cameras.value if node_id(c) == camera_id), None)
    if not isinstance(camera, yaml.MappingNode):
        known = [str(node_id(c)) for c in cameras.value]
        more = ", ..." if len(known) > 8 else ""
        raise PromotionError(f"the site has no camera {camera_id!r} (it has {', '.join(known[:8])}{more})")
    return camera


def _zone(camera: yaml.MappingNode, target: Target) -> yaml.MappingNode:
    zones = mapping_value(camera, "zones")
    items = zones.value if isinstance(zones, yaml.SequenceNode) else []
    zone = next((z for z in items if node_id(z) == target.zone), None)
    if not isinstance(zone, yaml.MappingNode):
        known = ", ".join(str(node_id(z)) for z in items) or "none"
        raise PromotionError(f"camera {target.camera} has no zone {target.zone!r} (its zones: {known})")
    return zone


def _container(camera: yaml.MappingNode, target: Target) -> yaml.MappingNode | None:
    """The mapping holding the field (the zone, or the camera's detection); None: no detection mapping."""
    if target.zone is not None:
        return _zone(camera, target)
    detection = mapping_value(camera, "detection")
    if detection is None:
        return None
    if not isinstance(detection, yaml.MappingNode):
        raise PromotionError(f"camera {target.camera}'s detection is not a mapping; edit it by hand")
    return detection


def _key(target: Target) -> str:
    return "model" if target.zone is not None else target.field.value


def _scalar_value(node: yaml.Node | None, target: Target) -> str | None:
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise PromotionError(f"{target.where} is not a single value; edit it by hand")
    return None if node.tag == "tag:yaml.org,2002:null" else str(node.value)


def _shown(value: str | None) -> str:
    return "unset" if value is None else repr(value)


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain where it reads back the same in block and flow context (model ids,
    most paths), else JSON-quoted (valid YAML)."""
    plain = value == value.strip() and value != "" and not any(c in value for c in "#\n\"'")
    if plain:
        try:
            plain = parse_yaml(f"k: {value}\n").data == {"k": value} == parse_yaml(f"{{k: {value}}}").data
        except yaml.YAMLError:
            plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


# --- text edits -------------------------------------------------------------------------------------------
def _set(text: str, camera: yaml.MappingNode, target: Target, value: str) -> _Edit:
    """Set the field to the YAML scalar ``value``: replaced where present, else added."""
    key = _key(target)
    container = _container(camera, target)
    if container is None:
        return _add_entry(text, camera, "detection", (key, value))
    existing = mapping_value(container, key)
    if existing is not None:
        if not isinstance(existing, yaml.ScalarNode):
            raise PromotionError(f"{target.where} is not a single value; edit it by hand")
        return _Edit(existing.start_mark.index, existing.end_mark.index, value)
    return _add_entry(text, container, key, value)


def _add_entry(text: str, mapping: yaml.MappingNode, key: str, value: str | tuple[str, str]) -> _Edit:
    """Add ``key: value`` to a mapping (``value`` a pair: a one-key mapping ``key: {k: v}``), at its end."""
    if mapping.flow_style:
        close = mapping.end_mark.index - 1
        if text[close] != "}":
            raise PromotionError(f"cannot find the end of the mapping at line {mapping.start_mark.line + 1}")
        shown = value if isinstance(value, str) else f"{{{value[0]}: {value[1]}}}"
        separator = ", " if mapping.value else ""
        return _Edit(close, close, f"{separator}{key}: {shown}")
    indent = " " * mapping.value[0][0].start_mark.column
    if isinstance(value, str):
        block = f"{indent}{key}: {value}\n"
    else:
        block = f"{indent}{key}:\n{indent}  {value[0]}: {value[1]}\n"
    at = line_end(text, last_end(mapping))
    if at == len(text) and not text.endswith("\n"):
        block = "\n" + block[:-1]  # the file ends without a newline: so it stays
    return _Edit(at, at, block)


def _remove(text: str, camera: yaml.MappingNode, target: Target) -> _Edit:
    """Remove the field's key (and the camera's detection mapping when nothing else is left in it)."""
    key = _key(target)
    container = _container(camera, target)
    index = None if container is None else _index(container, key)
    if container is None or index is None:
        raise PromotionError(f"{target.where} is not set; nothing to remove")
    if target.zone is None and len(container.value) == 1:
        detection = _index(camera, "detection")
        assert detection is not None
        return _remove_entry(text, camera, detection)
    return _remove_entry(text, container, index)


def _index(mapping: yaml.MappingNode, key: str) -> int | None:
    return next(
        (i for i, (k, _) in enumerate(mapping.value) if isinstance(k, yaml.ScalarNode) and k.value == key),
        None,
    )


def _remove_entry(text: str, mapping: yaml.MappingNode, index: int) -> _Edit:
    """Remove the ``index``-th entry of a mapping: its lines (block), or it and a comma (flow)."""
    key, value = mapping.value[index]
    if mapping.flow_style:
        if index > 0:
            return _Edit(last_end(mapping.value[index - 1][1]), value.end_mark.index, "")
        end = mapping.value[1][0].start_mark.index if len(mapping.value) > 1 else value.end_mark.index
        return _Edit(key.start_mark.index, end, "")
    start = text.rfind("\n", 0, key.start_mark.index) + 1
    if text[start : key.start_mark.index].strip():
        raise PromotionError(
            f"line {key.start_mark.line + 1} holds more than the key {key.value}; edit it by hand"
        )
    end = line_end(text, last_end(value))
    if end == len(text) and not text.endswith("\n") and start > 0:
        start -= 1  # the last line of a file without a final newline: take the newline before it
    return _Edit(start, end, "")


def _apply(text: str, edits: list[_Edit]) -> str:
    """``text`` with ``edits`` applied (from the end, so offsets stay valid)."""
    out = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[: edit.start] + edit.text + out[edit.end :]
    return out


def _validate(text: str, source: Path, what: str) -> None:
    try:
        parse_site(text, source)
    except SiteConfigError as error:
        raise PromotionError(f"the {what} site would not be valid:\n{error.report()}") from None
