"""COCO labels: one JSON file with ``images`` (id, file_name, width, height), ``annotations`` (image_id,
category_id, bbox ``[x, y, width, height]`` in pixels, ``iscrowd`` 1 marks a box as ignored) and
``categories`` (id, name). Images the file lists but the folder lacks are skipped, and said so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from detectors.evaluation.labels import (
    LabelError,
    LabelledImage,
    ReadResult,
    boxes_array,
    clipped_box,
    find_image,
    image_size,
)
from gridwatch.config.errors import format_path

# COCO files carry many fields we do not read (segmentation, area, info, licenses...): these models ignore
# unknown fields rather than forbid them, since they describe someone else's format.
_FOREIGN = ConfigDict(extra="ignore", frozen=True)


class CocoImage(BaseModel):
    """An entry of ``images``."""

    model_config = _FOREIGN

    id: int | str = Field(description="Image id that annotations refer to.")
    file_name: str = Field(min_length=1, description="Image file, relative to the image folder.")
    width: int | None = Field(default=None, ge=0, description="Width in pixels, checked against the file.")
    height: int | None = Field(default=None, ge=0, description="Height in pixels, checked against the file.")


class CocoAnnotation(BaseModel):
    """An entry of ``annotations``."""

    model_config = _FOREIGN

    image_id: int | str = Field(description="The image the box is on.")
    category_id: int | str = Field(description="The box's category.")
    bbox: list[float] = Field(min_length=4, max_length=4, description="x, y, width, height in pixels.")
    iscrowd: int = Field(default=0, ge=0, le=1, description="1: a crowd region, ignored in matching.")


class CocoCategory(BaseModel):
    """An entry of ``categories``."""

    model_config = _FOREIGN

    id: int | str = Field(description="Category id.")
    name: str = Field(min_length=1, description="Category name (the label class).")


class CocoFile(BaseModel):
    """The parts of a COCO file the evaluation reads."""

    model_config = _FOREIGN

    images: list[CocoImage] = Field(description="Images.")
    annotations: list[CocoAnnotation] = Field(description="Boxes.")
    categories: list[CocoCategory] = Field(min_length=1, description="Categories.")


def _load(path: Path) -> CocoFile:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LabelError(f"{path}: cannot read: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise LabelError(f"{path}:{error.lineno}:{error.colno}: not JSON ({error.msg})") from None
    try:
        return CocoFile.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise LabelError(
            f"{path}: {format_path(tuple(first['loc'])) or '(top level)'}: {first['msg']}{more}"
        ) from None


def read_coco(images_dir: Path, labels_file: Path) -> ReadResult:
    """Every image of ``labels_file`` that ``images_dir`` holds, with its boxes."""
    coco = _load(labels_file)
    categories = {category.id: category.name for category in coco.categories}
    by_image: dict[int | str, list[tuple[int, CocoAnnotation]]] = {image.id: [] for image in coco.images}
    for index, annotation in enumerate(coco.annotations):
        if annotation.image_id not in by_image:
            raise LabelError(
                f"{labels_file}: annotations[{index}].image_id: {annotation.image_id!r} is no image's id"
            )
        if annotation.category_id not in categories:
            raise LabelError(
                f"{labels_file}: annotations[{index}].category_id: {annotation.category_id!r} is no "
                "category's id"
            )
        by_image[annotation.image_id].append((index, annotation))
    found: list[LabelledImage] = []
    skipped: list[str] = []
    for number, entry in enumerate(coco.images):
        path = find_image(images_dir, Path(entry.file_name).stem, entry.file_name)
        if path is None:
            skipped.append(f"images[{number}]: {entry.file_name} is not in {images_dir}")
            continue
        width, height = image_size(path)
        if entry.width and entry.height and (entry.width, entry.height) != (width, height):
            raise LabelError(
                f"{labels_file}: images[{number}]: says {entry.width}x{entry.height} but {path.name} is "
                f"{width}x{height}"
            )
        boxes, labels, ignore = [], [], []
        for index, annotation in by_image[entry.id]:
            x, y, w, h = annotation.bbox
            boxes.append(
                clipped_box(f"{labels_file}: annotations[{index}].bbox", (x, y, x + w, y + h), width, height)
            )
            labels.append(categories[annotation.category_id])
            ignore.append(annotation.iscrowd == 1)
        found.append(
            LabelledImage(path, width, height, boxes_array(boxes), tuple(labels), np.asarray(ignore, bool))
        )
    return found, [category.name for category in coco.categories], skipped
