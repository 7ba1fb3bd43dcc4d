"""YOLO labels: one ``.txt`` per image (same stem), one object per line: ``class cx cy w h``, the centre and
size as fractions of the image (a polygon ``class x1 y1 x2 y2 ...``, as segmentation labels have, counts as
its bounding box). An image without a label file has no objects (YOLO's convention). Class names come from
``classes.txt`` (one per line) or a ``data.yaml``/``dataset.yaml`` ``names`` (a list, or ids to names),
looked for beside the labels folder and up to two folders above it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from detectors.evaluation.labels import (
    IMAGE_SUFFIXES,
    LabelError,
    LabelledImage,
    ReadResult,
    boxes_array,
    clipped_box,
    image_size,
)

_YAML_NAMES = ("data.yaml", "dataset.yaml", "data.yml", "dataset.yml")
_SLACK = 0.01  # fractions a little outside [0, 1] happen after rounding; more is an error


def _places(labels_dir: Path) -> list[Path]:
    return [labels_dir, labels_dir.parent, labels_dir.parent.parent]


def read_class_names(labels_dir: Path) -> tuple[list[str], Path]:
    """The class names, and the file they came from; LabelError when there is none or it is malformed."""
    for folder in _places(labels_dir):
        listing = folder / "classes.txt"
        if listing.is_file():
            names = [line.strip() for line in listing.read_text(encoding="utf-8").splitlines()]
            while names and not names[-1]:
                names.pop()
            for number, name in enumerate(names, start=1):
                if not name:
                    raise LabelError(f"{listing}:{number}: empty class name")
            return names, listing
        for file_name in _YAML_NAMES:
            config = folder / file_name
            if config.is_file():
                return _yaml_names(config), config
    looked = ", ".join(str(folder) for folder in _places(labels_dir))
    raise LabelError(f"{labels_dir}: no classes.txt or data.yaml with `names` (looked in {looked})")


def _yaml_names(path: Path) -> list[str]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise LabelError(f"{path}{where}: not YAML ({error})") from None
    names = document.get("names") if isinstance(document, dict) else None
    if isinstance(names, list) and names and all(isinstance(n, str | int) for n in names):
        return [str(name) for name in names]
    if isinstance(names, dict) and names:
        try:
            ids = sorted(int(key) for key in names)
        except (TypeError, ValueError):
            raise LabelError(f"{path}: names: keys must be class ids (0, 1, ...)") from None
        if ids != list(range(len(ids))):
            raise LabelError(f"{path}: names: ids must run 0..{len(ids) - 1}, got {ids}")
        return [str(names.get(i, names.get(str(i)))) for i in ids]
    raise LabelError(f"{path}: names: expected a list of class names or a mapping id: name")


def _line_box(
    where: str, fields: list[str], class_count: int, width: int, height: int
) -> tuple[int, list[float]]:
    """(class id, pixel box) of one label line's ``fields``."""
    if len(fields) != 5 and (len(fields) < 7 or len(fields) % 2 == 0):
        raise LabelError(
            f"{where}: expected `class cx cy w h` (5 fields) or `class x1 y1 x2 y2 ...` (a polygon), "
            f"got {len(fields)} field(s)"
        )
    try:
        class_id = int(fields[0])
    except ValueError:
        raise LabelError(f"{where}: class {fields[0]!r} is not a whole number") from None
    if not 0 <= class_id < class_count:
        raise LabelError(
            f"{where}: class {class_id} is not among the {class_count} classes (0..{class_count - 1})"
        )
    try:
        values = [float(v) for v in fields[1:]]
    except ValueError:
        raise LabelError(f"{where}: {' '.join(fields[1:])!r}: not all numbers") from None
    if any(v < -_SLACK or v > 1 + _SLACK for v in values):
        raise LabelError(f"{where}: coordinates must be fractions of the image in [0, 1], got {values}")
    if len(values) == 4:
        cx, cy, w, h = values
        if w <= 0 or h <= 0:
            raise LabelError(f"{where}: width and height must be positive, got {w:g} and {h:g}")
        box = [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height]
    else:
        xs, ys = values[0::2], values[1::2]
        box = [min(xs) * width, min(ys) * height, max(xs) * width, max(ys) * height]
    return class_id, clipped_box(where, box, width, height)


def read_yolo(images_dir: Path, labels_dir: Path) -> ReadResult:
    """Every image of ``images_dir``, with the boxes of its ``.txt`` in ``labels_dir`` (none without one)."""
    names, _ = read_class_names(labels_dir)
    images = sorted(p for p in images_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    stems = {p.stem for p in images}
    skipped = [
        f"{path.name}: no image {path.stem}.* in {images_dir}"
        for path in sorted(labels_dir.glob("*.txt"))
        if path.name != "classes.txt" and path.stem not in stems
    ]
    found: list[LabelledImage] = []
    for image in images:
        width, height = image_size(image)
        label_file = labels_dir / f"{image.stem}.txt"
        boxes, labels = [], []
        if label_file.is_file():
            for number, line in enumerate(label_file.read_text(encoding="utf-8").splitlines(), start=1):
                fields = line.split()
                if not fields:
                    continue
                class_id, box = _line_box(f"{label_file}:{number}", fields, len(names), width, height)
                boxes.append(box)
                labels.append(names[class_id])
        found.append(
            LabelledImage(
                image, width, height, boxes_array(boxes), tuple(labels), np.zeros(len(labels), bool)
            )
        )
    return found, names, skipped
