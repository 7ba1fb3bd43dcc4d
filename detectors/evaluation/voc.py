"""Pascal VOC labels: one XML file per image (``<object><name>`` and ``<bndbox>`` xmin, ymin, xmax, ymax in
pixels; ``<difficult>1`` marks a box as ignored), paired with the image of the same stem, else the image its
``<filename>`` names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from detectors.evaluation.labels import (
    LabelError,
    LabelledImage,
    ReadResult,
    boxes_array,
    clipped_box,
    find_image,
    image_size,
    unlabelled_images,
)

_CORNERS = ("xmin", "ymin", "xmax", "ymax")


def _number(path: Path, where: str, text: str | None, field: str) -> float:
    if text is None or not text.strip():
        raise LabelError(f"{path}: {where}: <{field}> missing")
    try:
        return float(text)
    except ValueError:
        raise LabelError(f"{path}: {where}: <{field}> {text.strip()!r} is not a number") from None


def _parse(path: Path) -> ET.Element:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        line, column = error.position
        raise LabelError(f"{path}:{line}:{column}: not well-formed XML ({error})") from None
    except OSError as error:
        raise LabelError(f"{path}: cannot read: {error.strerror or error}") from None
    if root.tag != "annotation":
        raise LabelError(f"{path}: root element is <{root.tag}>, a VOC file's is <annotation>")
    return root


def read_voc(images_dir: Path, labels_dir: Path) -> ReadResult:
    """Every ``*.xml`` of ``labels_dir`` whose image is in ``images_dir``."""
    found: list[LabelledImage] = []
    skipped: list[str] = []
    names: set[str] = set()
    for path in sorted(labels_dir.glob("*.xml")):
        root = _parse(path)
        filename = (root.findtext("filename") or "").strip()
        image = find_image(images_dir, path.stem, filename)
        if image is None:
            skipped.append(
                f"{path.name}: no image {path.stem}.* or {filename or '(no <filename>)'} in {images_dir}"
            )
            continue
        width, height = image_size(image)
        declared = (root.findtext("size/width"), root.findtext("size/height"))
        if all(declared):
            size = (
                _number(path, "<size>", declared[0], "width"),
                _number(path, "<size>", declared[1], "height"),
            )
            if size[0] > 0 and size[1] > 0 and size != (width, height):
                raise LabelError(
                    f"{path}: <size> says {size[0]:g}x{size[1]:g} but {image.name} is {width}x{height}"
                )
        boxes, labels, ignore = [], [], []
        for number, obj in enumerate(root.iter("object"), start=1):
            name = (obj.findtext("name") or "").strip()
            if not name:
                raise LabelError(f"{path}: object {number}: <name> missing")
            where = f"object {number} ({name})"
            box = obj.find("bndbox")
            if box is None:
                raise LabelError(f"{path}: {where}: <bndbox> missing")
            corners = [_number(path, where, box.findtext(k), f"bndbox/{k}") for k in _CORNERS]
            boxes.append(clipped_box(f"{path}: {where}", corners, width, height))
            labels.append(name)
            ignore.append((obj.findtext("difficult") or "0").strip().lower() in ("1", "true"))
            names.add(name)
        found.append(
            LabelledImage(image, width, height, boxes_array(boxes), tuple(labels), np.asarray(ignore, bool))
        )
    skipped.extend(unlabelled_images(images_dir, found))
    return found, sorted(names), skipped
