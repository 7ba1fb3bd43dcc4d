"""Incident labels: what an operator says happened, as intervals, in CSV or JSON.

One label per row (CSV, with a header) or per object (JSON: a list, or ``{"labels": [...]}``):

    camera,zone,class,start,end
    cam-0003,z-1,ebike_parking,12.5,95
    cam-0003,z-1,06,2026-03-01T08:00:12+08:00,2026-03-01T08:01:35+08:00

``class`` is a rule kind (``ebike_parking``, ``storefront_trading``, ``mobile_vendor``) or its standard class
code (``06``, ``04``, ``01``). ``start`` and ``end`` are seconds from the start of the camera's footage, or
ISO 8601 times with a timezone; both of a label are the same kind. An optional ``note`` column is kept.

Optionally a label says where the object is, in the camera's native pixels: ``box`` (``x1 y1 x2 y2``) or
``point`` (``x y``, e.g. where it stands); in JSON either may also be a list of numbers. An incident then
matches the label only where its boxes overlap that object (see :mod:`replay.scoring`)::

    camera,zone,class,start,end,box
    cam-0003,z-1,06,120,300,812 604 905 688
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gridwatch.messages import CLASS_CODE_OF_RULE, RuleKind
from replay.errors import ReplayError
from replay.times import parse_time

COLUMNS = ("camera", "zone", "class", "start", "end")
#: Optional columns besides the required ones.
OPTIONAL = ("box", "point", "note")
_RULE_OF_CODE = {code.value: rule for rule, code in CLASS_CODE_OF_RULE.items()}


class Label(BaseModel):
    """One labelled incident interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera: str = Field(min_length=1, description="Camera id.")
    zone: str = Field(min_length=1, description="Zone id of that camera.")
    rule: RuleKind = Field(description="The rule (event class) the incident belongs to.")
    start: float = Field(description="Start: seconds from the footage start, or epoch seconds if absolute.")
    end: float = Field(description="End, in the same unit as start.")
    absolute: bool = Field(default=False, description="True: start/end are epoch seconds.")
    box: tuple[float, float, float, float] | None = Field(
        default=None,
        description="The labelled object's box (x1, y1, x2, y2) in the camera's native pixels, if known.",
    )
    point: tuple[float, float] | None = Field(
        default=None, description="A point on the labelled object (x, y) in native pixels, if known."
    )
    note: str = Field(default="", description="Free text.")
    origin: str = Field(default="", description="Where the label was read (file:line).", exclude=True)

    def resolved(self, footage_start: float) -> tuple[float, float]:
        """(start, end) in epoch seconds, given the epoch time of the camera's first frame."""
        if self.absolute:
            return self.start, self.end
        return footage_start + self.start, footage_start + self.end


def rule_of(text: str) -> RuleKind:
    """The rule a label's class names (a rule kind or a class code); ValueError otherwise."""
    value = text.strip()
    if value in _RULE_OF_CODE:
        return _RULE_OF_CODE[value]
    try:
        return RuleKind(value)
    except ValueError:
        known = ", ".join([*(k.value for k in RuleKind), *_RULE_OF_CODE])
        raise ValueError(f"class {value!r} is not one of {known}") from None


def make_label(row: dict[str, Any], origin: str) -> Label:
    """A label from one row/object; ReplayError prefixed with ``origin`` on any problem."""
    missing = [c for c in COLUMNS if row.get(c) in (None, "")]
    if missing:
        raise ReplayError(f"{origin}: missing {', '.join(missing)}")
    unknown = sorted(set(row) - {*COLUMNS, *OPTIONAL})
    if unknown:
        raise ReplayError(
            f"{origin}: unknown field {', '.join(unknown)} (expected {', '.join(COLUMNS)}; optional "
            f"{', '.join(OPTIONAL)})"
        )
    try:
        rule = rule_of(str(row["class"]))
        start, start_abs = parse_time(row["start"])
        end, end_abs = parse_time(row["end"])
        box = _numbers(row.get("box"), 4, "box (x1 y1 x2 y2)")
        point = _numbers(row.get("point"), 2, "point (x y)")
    except ValueError as error:
        raise ReplayError(f"{origin}: {error}") from None
    if start_abs != end_abs:
        raise ReplayError(f"{origin}: start and end must both be seconds or both be ISO times")
    if end < start:
        raise ReplayError(f"{origin}: end {row['end']} is before start {row['start']}")
    if not start_abs and start < 0:
        raise ReplayError(f"{origin}: start {row['start']} is negative")
    if box is not None and (box[2] <= box[0] or box[3] <= box[1]):
        raise ReplayError(f"{origin}: box {row['box']} is empty (x2 must exceed x1 and y2 exceed y1)")
    return Label(
        camera=str(row["camera"]).strip(),
        zone=str(row["zone"]).strip(),
        rule=rule,
        start=start,
        end=end,
        absolute=start_abs,
        box=None if box is None else (box[0], box[1], box[2], box[3]),
        point=None if point is None else (point[0], point[1]),
        note=str(row.get("note") or ""),
        origin=origin,
    )


def _numbers(value: object, count: int, what: str) -> tuple[float, ...] | None:
    """``count`` numbers from text (separated by spaces or commas) or a list; None when absent."""
    if value is None or value == "":
        return None
    parts: list[object]
    if isinstance(value, str):
        parts = [p for p in value.replace(",", " ").split() if p]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise ValueError(f"{what} must be {count} numbers, got {value!r}")
    if len(parts) != count or any(isinstance(p, bool) for p in parts):
        raise ValueError(f"{what} must be {count} numbers, got {value!r}")
    try:
        numbers = tuple(float(p) for p in parts)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be {count} numbers, got {value!r}") from None
    if not all(math.isfinite(n) for n in numbers):
        raise ValueError(f"{what} must be finite numbers, got {value!r}")
    return numbers


def parse_csv(text: str, source: str = "<labels>") -> list[Label]:
    """Labels from CSV text with a header row; ReplayError naming file:line."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames
    if header is None:
        raise ReplayError(f"{source}:1: empty file; expected a header {','.join(COLUMNS)}")
    absent = [c for c in COLUMNS if c not in [h.strip() for h in header]]
    if absent:
        raise ReplayError(f"{source}:1: header lacks {', '.join(absent)} (expected {','.join(COLUMNS)})")
    labels = []
    for row in reader:
        origin = f"{source}:{reader.line_num}"
        if None in row:
            raise ReplayError(f"{origin}: more fields than the header has")
        cleaned = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
        if not any(cleaned.values()):
            continue
        labels.append(make_label(cleaned, origin))
    return labels


def parse_json(text: str, source: str = "<labels>") -> list[Label]:
    """Labels from JSON text (a list, or an object with ``labels``); ReplayError naming the entry."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReplayError(f"{source}:{error.lineno}: invalid JSON: {error.msg}") from None
    if isinstance(raw, dict) and "labels" in raw:
        raw = raw["labels"]
    if not isinstance(raw, list):
        raise ReplayError(f'{source}: expected a list of labels or {{"labels": [...]}}')
    labels = []
    for index, entry in enumerate(raw):
        origin = f"{source}: labels[{index}]"
        if not isinstance(entry, dict):
            raise ReplayError(f"{origin}: expected an object with {', '.join(COLUMNS)}")
        labels.append(make_label(entry, origin))
    return labels


def read_labels(path: Path) -> list[Label]:
    """Labels from a .csv or .json file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ReplayError(f"label file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ReplayError(f"label file {path} cannot be read: {error}") from None
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path))
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path))
    raise ReplayError(f"label file {path}: expected a .csv or .json file")


def time_text(value: float, absolute: bool) -> str | float:
    """A label time as written to files: seconds (rounded) or an ISO time in UTC."""
    if not absolute:
        return round(value, 3)
    from datetime import UTC, datetime

    return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")


def _row(label: Label, *, as_text: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "camera": label.camera,
        "zone": label.zone,
        "class": label.rule.value,
        "start": time_text(label.start, label.absolute),
        "end": time_text(label.end, label.absolute),
    }
    for name, numbers in (("box", label.box), ("point", label.point)):
        if numbers is not None:
            rounded = [round(n, 1) for n in numbers]
            row[name] = " ".join(f"{n:g}" for n in rounded) if as_text else rounded
        elif as_text:
            row[name] = ""
    row["note"] = label.note
    return row


def to_csv(labels: list[Label]) -> str:
    """Labels as CSV text (header included; box and point columns only when some label has one)."""
    optional = [c for c in ("box", "point") if any(getattr(label, c) is not None for label in labels)]
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=[*COLUMNS, *optional, "note"], lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    for label in labels:
        writer.writerow(_row(label, as_text=True))
    return out.getvalue()


def to_json(labels: list[Label]) -> str:
    """Labels as JSON text: ``{"labels": [...]}``."""
    rows = [_row(label, as_text=False) for label in labels]
    return json.dumps({"labels": rows}, indent=2, ensure_ascii=False) + "\n"


def write_labels(path: Path, labels: list[Label]) -> None:
    """Write labels as CSV or JSON, by the file's suffix."""
    text = to_json(labels) if path.suffix.lower() == ".json" else to_csv(labels)
    path.write_text(text, encoding="utf-8")
