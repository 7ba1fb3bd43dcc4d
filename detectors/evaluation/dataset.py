"""Reading a labelled data set: the format recognised (or given), the reader run, label classes mapped to
kinds."""

from __future__ import annotations

from pathlib import Path

from detectors.evaluation import coco, voc, yolo
from detectors.evaluation.kinds import LabelKindMap
from detectors.evaluation.labels import LabelError, LabelFormat, LabelledImage, LabelledSet


def detect_format(labels: Path) -> LabelFormat:
    """The format of ``labels``: a ``.json`` file is COCO; a folder of ``.xml`` is VOC; a folder of
    ``.txt`` is YOLO (a folder holding exactly one ``.json`` and neither, COCO)."""
    if labels.is_file():
        if labels.suffix.lower() == ".json":
            return LabelFormat.COCO
        raise LabelError(f"{labels}: a labels file must be COCO .json; VOC and YOLO labels are a folder")
    if not labels.is_dir():
        raise LabelError(f"{labels}: no such file or folder")
    xml = any(labels.glob("*.xml"))
    txt = any(p.name != "classes.txt" for p in labels.glob("*.txt"))
    if xml and txt:
        raise LabelError(f"{labels}: holds both .xml (VOC) and .txt (YOLO) labels: say which with --format")
    if xml:
        return LabelFormat.VOC
    if txt:
        return LabelFormat.YOLO
    if len(list(labels.glob("*.json"))) == 1:
        return LabelFormat.COCO
    raise LabelError(f"{labels}: no .xml (VOC), .txt (YOLO) or .json (COCO) labels found")


def read_labelled_set(
    images_dir: Path, labels: Path, kind_map: LabelKindMap, label_format: LabelFormat | None = None
) -> LabelledSet:
    """Read every labelled image; kinds from ``kind_map``. LabelError on bad labels or no images."""
    if not images_dir.is_dir():
        raise LabelError(f"{images_dir}: no such image folder")
    chosen = label_format or detect_format(labels)
    if chosen is LabelFormat.COCO and labels.is_dir():
        labels = next(labels.glob("*.json"), labels)
    readers = {
        LabelFormat.VOC: voc.read_voc,
        LabelFormat.COCO: coco.read_coco,
        LabelFormat.YOLO: yolo.read_yolo,
    }
    found, class_names, skipped = readers[chosen](images_dir, labels)
    if not found:
        reasons = "; ".join(skipped[:3])
        raise LabelError(
            f"{labels}: no labelled image found in {images_dir}{': ' + reasons if reasons else ''}"
        )
    unmapped: dict[str, int] = {}
    typed = []
    for item in found:
        kinds = tuple(kind_map.kind_of(label) for label in item.labels)
        for label, kind in zip(item.labels, kinds, strict=True):
            if kind is None:
                unmapped[label] = unmapped.get(label, 0) + 1
        typed.append(
            LabelledImage(item.image, item.width, item.height, item.xyxy, item.labels, item.ignore, kinds)
        )
    return LabelledSet(
        images=tuple(typed),
        format=chosen,
        labels_path=labels,
        class_names=tuple(class_names),
        kinds=kind_map.evaluated_kinds(class_names),
        unmapped=unmapped,
        skipped=tuple(skipped),
    )
