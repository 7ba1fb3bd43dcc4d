"""Labelled objects in photos, read from the three common box formats: Pascal VOC XML, COCO JSON and YOLO
text files. Each object keeps where it came from and under which licence, so that every cut-out made of it
can say so."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from replay.errors import ReplayError

BoxXYXY = tuple[float, float, float, float]
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
#: A labelled object another box of its image covers more than this share of is left out (its cut-out would
#: carry the other object with it).
MAX_COVERED = 0.25


class LabelledObject(BaseModel):
    """One object's box in one photo, with its class, licence and origin."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: Path = Field(description="The photo.")
    box: BoxXYXY = Field(description="The object's box (x1, y1, x2, y2) in the photo's pixels.")
    class_name: str = Field(min_length=1, description="The object's class, e.g. bicycle, scooter, chair.")
    licence: str = Field(description="Licence of the photo, e.g. Apache-2.0 or 'team-internal'.")
    origin: str = Field(description="Where the photo comes from (package and path, dataset, camera).")
    exclude: tuple[BoxXYXY, ...] = Field(
        default=(), description="Regions inside the box that are certainly not the object (an occluder)."
    )
    widen: float = Field(
        default=1.0,
        gt=0,
        le=10,
        description="Factor the photo's width is multiplied by before the object is cut out: for photos "
        "stored at another aspect ratio than they were taken at (a landscape photo squeezed into a portrait "
        "frame). Box and exclusions are in the stored photo's pixels.",
    )

    def widened(self) -> LabelledObject:
        """This object in its photo widened by ``widen`` (boxes scaled to match; ``widen`` then 1)."""
        k = self.widen

        def scale(box: BoxXYXY) -> BoxXYXY:
            return (box[0] * k, box[1], box[2] * k, box[3])

        return self.model_copy(
            update={"box": scale(self.box), "exclude": tuple(scale(b) for b in self.exclude), "widen": 1.0}
        )


def _covered(box: BoxXYXY, others: list[BoxXYXY]) -> float:
    area = max(1e-9, (box[2] - box[0]) * (box[3] - box[1]))
    worst = 0.0
    for other in others:
        w = min(box[2], other[2]) - max(box[0], other[0])
        h = min(box[3], other[3]) - max(box[1], other[1])
        if w > 0 and h > 0:
            worst = max(worst, w * h / area)
    return worst


def separate(objects: list[LabelledObject], max_covered: float = MAX_COVERED) -> list[LabelledObject]:
    """The objects no other box of the same photo covers by more than ``max_covered``."""
    by_image: dict[Path, list[LabelledObject]] = {}
    for obj in objects:
        by_image.setdefault(obj.image, []).append(obj)
    kept = []
    for group in by_image.values():
        for obj in group:
            others = [o.box for o in group if o is not obj]
            if _covered(obj.box, others) <= max_covered:
                kept.append(obj)
    return kept


def _image_for(folder: Path, stem: str, named: str | None) -> Path | None:
    for name in [named] if named else []:
        if (folder / name).is_file():
            return folder / name
    for suffix in IMAGE_SUFFIXES:
        if (folder / f"{stem}{suffix}").is_file():
            return folder / f"{stem}{suffix}"
    return None


def read_voc(images: Path, labels: Path, *, licence: str, origin: str) -> list[LabelledObject]:
    """Objects of Pascal VOC XML files in ``labels`` (the photo: same stem in ``images``, else the XML's
    ``filename``). Truncated and difficult objects are left out."""
    found: list[LabelledObject] = []
    for xml in sorted(labels.glob("*.xml")):
        try:
            root = ElementTree.parse(xml).getroot()
        except ElementTree.ParseError as error:
            raise ReplayError(f"{xml}: not VOC XML: {error}") from None
        image = _image_for(images, xml.stem, None) or _image_for(images, xml.stem, root.findtext("filename"))
        if image is None:
            raise ReplayError(f"{xml}: no photo {xml.stem}.* or {root.findtext('filename')} in {images}")
        for index, node in enumerate(root.iter("object")):
            if (node.findtext("truncated") or "0").strip() == "1" or (
                node.findtext("difficult") or "0"
            ).strip() == "1":
                continue
            name, bnd = node.findtext("name"), node.find("bndbox")
            if not name or bnd is None:
                raise ReplayError(f"{xml}: object {index} has no name or bndbox")
            try:
                box = tuple(float(bnd.findtext(k) or "") for k in ("xmin", "ymin", "xmax", "ymax"))
            except ValueError:
                raise ReplayError(f"{xml}: object {index} has a bndbox that is not four numbers") from None
            found.append(
                LabelledObject(
                    image=image,
                    box=(box[0], box[1], box[2], box[3]),
                    class_name=name.strip(),
                    licence=licence,
                    origin=f"{origin}: {image.name}",
                )
            )
    return found


def read_coco(annotations: Path, images: Path, *, licence: str, origin: str) -> list[LabelledObject]:
    """Objects of a COCO JSON file (``images``, ``annotations`` with ``bbox`` as x, y, width, height,
    ``categories``); crowd annotations are left out."""
    try:
        data = json.loads(annotations.read_text(encoding="utf-8"))
        names = {c["id"]: c["name"] for c in data["categories"]}
        files = {i["id"]: i["file_name"] for i in data["images"]}
        found = []
        for ann in data["annotations"]:
            if ann.get("iscrowd"):
                continue
            x, y, w, h = (float(v) for v in ann["bbox"])
            image = images / files[ann["image_id"]]
            found.append(
                LabelledObject(
                    image=image,
                    box=(x, y, x + w, y + h),
                    class_name=names[ann["category_id"]],
                    licence=licence,
                    origin=f"{origin}: {image.name}",
                )
            )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ReplayError(f"{annotations}: not a COCO annotation file: {error!r}") from None
    return found


def read_yolo(
    images: Path, labels: Path, class_names: list[str], *, licence: str, origin: str
) -> list[LabelledObject]:
    """Objects of YOLO text files (``class cx cy w h``, normalised) in ``labels``, photos of the same stem
    in ``images``."""
    import cv2

    found = []
    for text in sorted(labels.glob("*.txt")):
        image = _image_for(images, text.stem, None)
        if image is None:
            continue
        picture = cv2.imread(str(image))
        if picture is None:
            raise ReplayError(f"{image} does not decode")
        height, width = picture.shape[:2]
        for line_no, line in enumerate(text.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                cls, cx, cy, w, h = line.split()[:5]
                index = int(cls)
                name = class_names[index]
                x, y, bw, bh = float(cx) * width, float(cy) * height, float(w) * width, float(h) * height
            except (ValueError, IndexError):
                raise ReplayError(
                    f"{text}:{line_no}: expected 'class cx cy w h' with a known class"
                ) from None
            found.append(
                LabelledObject(
                    image=image,
                    box=(x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2),
                    class_name=name,
                    licence=licence,
                    origin=f"{origin}: {image.name}",
                )
            )
    return found
