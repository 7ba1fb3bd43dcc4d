"""Export the labelled examples (:mod:`dispatch.persistence.label_tables`) as a training set: YOLO or COCO.

Every example's clean frame is copied into ``images/<split>/``; positives carry their boxes (in the image's
own pixels, or normalised for YOLO), negatives none (a background image: the boxes were not what the rule
looks for). ``examples.json`` lists every example with its polarity, source, case, camera, zone, model and
boxes (negatives' too: a verifier learns from both), so nothing a decision said is lost in a format.

The split keeps near-identical frames apart: examples are grouped by camera and time block (an hour by
default; never less than a minute) and a group goes to ``val`` when its stable hash falls under the
validation share, so a camera-minute is never in both splits and an example keeps its split as more labels
come in. With two groups or more neither split is left empty: when the hashes put every group on one side,
the group nearest the other side moves (the one exception to a stable split, in small exports).
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

import cv2
import numpy as np

from dispatch.persistence.label_tables import LabelRecord, Polarity
from gridwatch.label_classes import LABEL_CLASS_NAMES

#: The class an example's boxes are, by the rule that raised its incident.
CLASS_OF_RULE: dict[str, str] = {
    "ebike_parking": "two_wheeler",
    "storefront_trading": "trading_object",
    "mobile_vendor": "vendor",
}
CLASSES: tuple[str, ...] = LABEL_CLASS_NAMES
"""Every class an export names, in class-id order (the rules' three first, then the box-labelling page's)."""
MANIFEST = "examples.json"
FETCH_TIMEOUT_S = 10.0


class ExportFormat(StrEnum):
    """Training-set layouts."""

    YOLO = "yolo"  # ultralytics: images/, labels/ (cls cx cy w h, normalised), data.yaml
    COCO = "coco"  # annotations/instances_<split>.json, boxes [x, y, w, h] in pixels


class ExportError(ValueError):
    """An export that cannot start (its folder, its settings); nothing was written."""


@dataclass
class ExportReport:
    """What an export wrote and what it skipped, and why."""

    out: Path
    images: Counter[str] = field(default_factory=Counter)  # split -> images
    positives: Counter[str] = field(default_factory=Counter)
    negatives: Counter[str] = field(default_factory=Counter)
    boxes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (split, class) -> boxes
    cameras: dict[str, set[str]] = field(default_factory=dict)  # split -> cameras
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report for people: counts per split, classes, and every skipped example with its reason."""
        out = [f"exported to {self.out}"]
        for split in ("train", "val"):
            classes = (
                ", ".join(f"{name} {n}" for name in CLASSES if (n := self.boxes[(split, name)])) or "none"
            )
            out.append(
                f"  {split}: {self.images[split]} images ({self.positives[split]} positive, "
                f"{self.negatives[split]} negative) from {len(self.cameras.get(split, ()))} cameras; "
                f"boxes: {classes}"
            )
        out.extend(f"  skipped {reason}" for reason in self.skipped)
        return out


def read_frame(url: str, evidence_root: Path | None = None) -> bytes:
    """The bytes of a frame: a ``file://`` URL or a path, ``/evidence/<key>`` under ``evidence_root``, or an
    http(s) URL (an S3 store's); OSError with the reason when it cannot be read."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as answer:
            data: bytes = answer.read()
            return data
    if parts.scheme == "file":
        return Path(unquote(parts.path)).read_bytes()
    if not parts.scheme and url.startswith("/evidence/") and evidence_root is not None:
        return (evidence_root / url.removeprefix("/evidence/")).read_bytes()
    if not parts.scheme:
        return Path(url).read_bytes()
    raise OSError(f"no way to read a {parts.scheme}:// URL")


def split_of(label: LabelRecord, val_share: float, block_s: float) -> tuple[str, float]:
    """The group key's stable hash fraction and the split it puts ``label`` in."""
    at = label.captured_at.astimezone(UTC).timestamp()
    group = f"{label.camera_id}/{int(at // block_s)}"
    fraction = int.from_bytes(hashlib.sha256(group.encode()).digest()[:8], "big") / 2**64
    return ("val" if fraction < val_share else "train"), fraction


def _splits(labels: Sequence[LabelRecord], val_share: float, block_s: float) -> dict[int, str]:
    """Each example's split; with two groups or more, neither split empty."""
    keyed = {label.id: split_of(label, val_share, block_s) for label in labels}
    splits = {label_id: split for label_id, (split, _f) in keyed.items()}
    fractions = sorted({fraction for _s, fraction in keyed.values()})
    if len(fractions) >= 2 and val_share > 0:
        present = set(splits.values())
        if present == {"train"}:
            move, to = fractions[0], "val"  # the group nearest the validation side
        elif present == {"val"}:
            move, to = fractions[-1], "train"
        else:
            return splits
        for label_id, (_split, fraction) in keyed.items():
            if fraction == move:
                splits[label_id] = to
    return splits


def export_labels(
    labels: Iterable[LabelRecord],
    out: Path,
    fmt: ExportFormat,
    *,
    val_share: float = 0.2,
    block_s: float = 3600.0,
    fetch: Callable[[str], bytes] = read_frame,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write ``labels`` as a ``fmt`` training set into ``out`` (which must be empty or absent)."""
    if not 0.0 <= val_share < 1.0:
        raise ExportError(f"validation share {val_share} must be at least 0 and below 1")
    if block_s < 60.0:
        raise ExportError(f"time block {block_s} s is shorter than a minute")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} exists and is not an empty folder; export into a new one")
    rows = sorted(labels, key=lambda label: label.id)
    splits = _splits(rows, val_share, block_s)
    report = ExportReport(out.resolve())
    manifest: list[dict[str, object]] = []
    coco: dict[str, dict[str, list[dict[str, object]]]] = {
        split: {"images": [], "annotations": []} for split in ("train", "val")
    }
    out.mkdir(parents=True, exist_ok=True)
    for index, label in enumerate(rows, start=1):
        if progress is not None:
            progress(index, len(rows))
        split = splits[label.id]
        if label.frame_url is None:
            report.skipped.append(
                f"label {label.id} (case {label.case_id}): the detector kept no clean frame"
            )
            continue
        try:
            data = fetch(label.frame_url)
        except OSError as error:
            report.skipped.append(f"label {label.id} (case {label.case_id}): {label.frame_url}: {error}")
            continue
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            report.skipped.append(
                f"label {label.id} (case {label.case_id}): {label.frame_url} is not an image"
            )
            continue
        height, width = image.shape[:2]
        stamp = label.captured_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{label.id:06d}-{label.camera_id}-{stamp}.jpg"
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
        (out / "images" / split / name).write_bytes(data)
        sx, sy = width / label.frame_width, height / label.frame_height
        clipped = (
            _clip((x1 * sx, y1 * sy, x2 * sx, y2 * sy), width, height) for x1, y1, x2, y2 in label.boxes
        )
        boxes = [box for box in clipped if box is not None]
        class_name = CLASS_OF_RULE.get(label.rule, label.rule)
        positive = label.polarity is Polarity.POSITIVE
        report.images[split] += 1
        report.cameras.setdefault(split, set()).add(label.camera_id)
        (report.positives if positive else report.negatives)[split] += 1
        if positive:
            report.boxes[(split, class_name)] += len(boxes)
        manifest.append(
            {
                "image": f"images/{split}/{name}",
                "split": split,
                "polarity": label.polarity.value,
                "source": label.source.value,
                "class": class_name,
                "boxes": [[round(v, 1) for v in box] for box in boxes],
                "width": width,
                "height": height,
                "case_id": label.case_id,
                "camera_id": label.camera_id,
                "zone_id": label.zone_id,
                "model_id": label.model_id,
                "captured_at": label.captured_at.astimezone(UTC).isoformat(),
            }
        )
        if fmt is ExportFormat.YOLO:
            (out / "labels" / split).mkdir(parents=True, exist_ok=True)
            rows_txt = (
                [_yolo_row(CLASSES.index(class_name), box, width, height) for box in boxes]
                if positive
                else []
            )
            (out / "labels" / split / (name[:-4] + ".txt")).write_text("".join(rows_txt))
        else:
            image_id = len(coco[split]["images"]) + 1
            coco[split]["images"].append(
                {"id": image_id, "file_name": name, "width": width, "height": height}
            )
            if positive:
                for x1, y1, x2, y2 in boxes:
                    coco[split]["annotations"].append(
                        {
                            "id": len(coco[split]["annotations"]) + 1,
                            "image_id": image_id,
                            "category_id": CLASSES.index(class_name) + 1,
                            "bbox": [round(x1, 1), round(y1, 1), round(x2 - x1, 1), round(y2 - y1, 1)],
                            "area": round((x2 - x1) * (y2 - y1), 1),
                            "iscrowd": 0,
                        }
                    )
    _write_index(out, fmt, coco)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return report


def _clip(
    box: tuple[float, float, float, float], width: int, height: int
) -> tuple[float, float, float, float] | None:
    x1, y1, x2, y2 = max(0.0, box[0]), max(0.0, box[1]), min(float(width), box[2]), min(float(height), box[3])
    return (x1, y1, x2, y2) if x2 > x1 and y2 > y1 else None


def _yolo_row(class_index: int, box: tuple[float, float, float, float], width: int, height: int) -> str:
    x1, y1, x2, y2 = box
    cx, cy, w, h = (x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height
    return f"{class_index} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}\n"


def _write_index(out: Path, fmt: ExportFormat, coco: dict[str, dict[str, list[dict[str, object]]]]) -> None:
    for split in ("train", "val"):
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
    if fmt is ExportFormat.YOLO:
        names = "".join(f"  {index}: {name}\n" for index, name in enumerate(CLASSES))
        (out / "data.yaml").write_text(
            f"# Gridwatch labels export (YOLO); negatives are images without rows\npath: {out.resolve()}\n"
            f"train: images/train\nval: images/val\nnames:\n{names}"
        )
        return
    (out / "annotations").mkdir(exist_ok=True)
    categories = [{"id": index + 1, "name": name} for index, name in enumerate(CLASSES)]
    for split, content in coco.items():
        (out / "annotations" / f"instances_{split}.json").write_text(
            json.dumps({**content, "categories": categories}, ensure_ascii=False)
        )
