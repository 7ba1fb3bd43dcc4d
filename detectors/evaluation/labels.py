"""Labelled images, whatever format their labels come in: what the evaluation compares detections with.

:func:`~detectors.evaluation.dataset.read_labelled_set` reads VOC XML (a folder of ``.xml``, one per
image), COCO JSON (one file with ``images``, ``annotations`` and ``categories``) or YOLO txt (a folder of
``.txt``, one per image, with ``classes.txt`` or a ``data.yaml`` naming the classes), chosen by
``--format`` or recognised from the path.
Boxes are in pixels of the image file as stored (EXIF orientation is not applied, here or when the images
are read for detection), clipped to the image. Errors (:class:`LabelError`) name the file and the line or
field. The readers live in :mod:`~detectors.evaluation.voc`, :mod:`~detectors.evaluation.coco` and
:mod:`~detectors.evaluation.yolo`; :mod:`~detectors.evaluation.dataset` picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from gridwatch.detections import ObjectKind

#: Image files the readers pair labels with, by file stem.
IMAGE_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class LabelFormat(StrEnum):
    """Label file formats."""

    VOC = "voc"
    COCO = "coco"
    YOLO = "yolo"


class LabelError(ValueError):
    """Labels that cannot be read; the message starts with the file (and line or field) at fault."""


@dataclass(frozen=True, slots=True)
class LabelledImage:
    """One image and its labelled objects, in the image's pixels."""

    image: Path
    width: int
    height: int
    xyxy: NDArray[np.float32]
    """(N, 4) boxes x1, y1, x2, y2."""
    labels: tuple[str, ...]
    """The label class of each box, as the labels spell it."""
    ignore: NDArray[np.bool_]
    """(N,) boxes that neither count as missed nor make a detection a false alarm (VOC ``difficult``,
    COCO ``iscrowd``)."""
    kinds: tuple[ObjectKind | None, ...] = ()
    """The kind of each box (set by :func:`read_labelled_set`); None: its class is not mapped."""

    def __post_init__(self) -> None:
        count = len(self.labels)
        if self.xyxy.shape != (count, 4) or self.ignore.shape != (count,):
            raise ValueError(
                f"{self.image}: {count} labels but boxes {self.xyxy.shape}, flags {self.ignore.shape}"
            )
        if self.kinds and len(self.kinds) != count:
            raise ValueError(f"{self.image}: {count} labels but {len(self.kinds)} kinds")

    def of_kind(self, kind: ObjectKind) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
        """Boxes and ignore flags of the labels of ``kind``."""
        mask = np.array([k is kind for k in self.kinds], bool).reshape(-1)
        return self.xyxy[mask].reshape(-1, 4), self.ignore[mask]


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """Labelled images of one data set, and what was left out while reading it."""

    images: tuple[LabelledImage, ...]
    format: LabelFormat
    labels_path: Path
    class_names: tuple[str, ...]
    """Every label class the data set names (a COCO or YOLO class list, else the classes seen)."""
    kinds: tuple[ObjectKind, ...]
    """The evaluated kinds its classes map to: the kinds its labels can judge detections of."""
    unmapped: dict[str, int] = field(default_factory=dict)
    """Label classes the kind map does not name (not evaluated), with their box counts."""
    skipped: tuple[str, ...] = ()
    """Images or label files left out, each with the reason."""


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) of an image file, from its header; LabelError when it is not an image."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError) as error:
        raise LabelError(f"{path}: not a readable image ({error})") from None
    return int(width), int(height)


def find_image(images_dir: Path, stem: str, *names: str) -> Path | None:
    """The image for a label file: ``stem`` with an image suffix, else one of ``names`` (as the labels
    name it, or only its last part) under ``images_dir``."""
    for suffix in IMAGE_SUFFIXES:
        for candidate in (images_dir / f"{stem}{suffix}", images_dir / f"{stem}{suffix.upper()}"):
            if candidate.is_file():
                return candidate
    for name in names:
        if not name:
            continue
        for candidate in (images_dir / name, images_dir / Path(name.replace("\\", "/")).name):
            if candidate.is_file():
                return candidate
    return None


def boxes_array(rows: Sequence[Sequence[float]]) -> NDArray[np.float32]:
    """(N, 4) float32 from rows of four numbers."""
    return np.asarray(rows, np.float32).reshape(-1, 4)


def clipped_box(where: str, box: Sequence[float], width: int, height: int) -> list[float]:
    """``box`` (x1, y1, x2, y2) clipped to the image (labelling tools often overshoot by a pixel);
    LabelError at ``where`` when it has no area, before or after clipping."""
    x1, y1, x2, y2 = (float(v) for v in box)
    if not (x2 > x1 and y2 > y1):
        raise LabelError(f"{where}: box {[x1, y1, x2, y2]} has no area (needs x1 < x2 and y1 < y2)")
    clipped = [
        min(max(x1, 0.0), width),
        min(max(y1, 0.0), height),
        min(max(x2, 0.0), width),
        min(max(y2, 0.0), height),
    ]
    if not (clipped[2] > clipped[0] and clipped[3] > clipped[1]):
        raise LabelError(f"{where}: box {[x1, y1, x2, y2]} lies outside the {width}x{height} image")
    return clipped


def unlabelled_images(images_dir: Path, labelled: Sequence[LabelledImage]) -> list[str]:
    """One line saying how many images of ``images_dir`` have no labels (not evaluated), if any."""
    used = {item.image.resolve() for item in labelled}
    rest = [
        path
        for path in images_dir.iterdir()
        if path.suffix.lower() in IMAGE_SUFFIXES and path.resolve() not in used
    ]
    if not rest:
        return []
    return [
        f"{len(rest)} image(s) in {images_dir} have no labels and are not evaluated (e.g. {rest[0].name})"
    ]


#: What a reader returns: the labelled images (kinds unset), the data set's class names, what it skipped.
ReadResult = tuple[list[LabelledImage], list[str], list[str]]
