"""Label readers: each format reads a small fixture written here; bad input names the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from detectors.evaluation.dataset import detect_format, read_labelled_set
from detectors.evaluation.kinds import ClassMapFileError, default_label_kinds, load_label_kinds
from detectors.evaluation.labels import LabelError, LabelFormat
from gridwatch.detections import ObjectKind


def _image(folder: Path, name: str, width: int = 64, height: int = 48) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    assert cv2.imwrite(str(path), np.zeros((height, width, 3), np.uint8))
    return path


def _voc(path: Path, objects: str, filename: str = "x.jpg", size: str = "64</width><height>48") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"<annotation><filename>{filename}</filename><size><width>{size}</height></size>{objects}</annotation>",
        encoding="utf-8",
    )
    return path


def _object(name: str, box: tuple[object, ...], difficult: int = 0) -> str:
    corners = "".join(f"<{k}>{v}</{k}>" for k, v in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=True))
    return f"<object><name>{name}</name><difficult>{difficult}</difficult><bndbox>{corners}</bndbox></object>"


def test_voc_pairs_labels_with_images_by_stem_and_maps_classes_to_kinds(tmp_path: Path) -> None:
    images, labels = tmp_path / "images", tmp_path / "labels"
    _image(images, "train_02.png")
    _image(images, "unlabelled.png")
    objects = _object("Bicycle", (4, 6, 20, 30)) + _object("cyclist", (5, 1, 18, 29), difficult=1)
    # <filename> names another file (as in the team's photos): the stem of the XML decides
    _voc(labels / "train_02.xml", objects + _object("lamp post", (40, 0, 44, 47)), filename="02.jpg")
    _voc(labels / "orphan.xml", _object("car", (1, 1, 5, 5)), filename="gone.jpg")

    dataset = read_labelled_set(images, labels, default_label_kinds())

    assert dataset.format is LabelFormat.VOC
    (item,) = dataset.images
    assert item.image.name == "train_02.png" and (item.width, item.height) == (64, 48)
    np.testing.assert_array_equal(item.xyxy, [[4, 6, 20, 30], [5, 1, 18, 29], [40, 0, 44, 47]])
    assert item.labels == ("Bicycle", "cyclist", "lamp post")
    assert item.kinds == (ObjectKind.TWO_WHEELER, ObjectKind.PERSON, None)  # cyclist: the rider, a person
    assert item.ignore.tolist() == [False, True, False]
    assert dataset.unmapped == {"lamp post": 1}
    assert dataset.kinds == (ObjectKind.TWO_WHEELER, ObjectKind.PERSON)  # the skipped file's car is not seen
    assert any("orphan.xml" in line and "gone.jpg" in line for line in dataset.skipped)
    assert any("1 image(s)" in line and "unlabelled.png" in line for line in dataset.skipped)


@pytest.mark.parametrize(
    ("objects", "expected"),
    [
        (_object("bicycle", (4, "abc", 20, 30)), "object 1 (bicycle): <bndbox/ymin> 'abc' is not a number"),
        ("<object><name>scooter</name></object>", "object 1 (scooter): <bndbox> missing"),
        (_object("car", (1, 1, 5, 5)) + "<object><bndbox/></object>", "object 2: <name> missing"),
        (_object("car", (30, 1, 5, 5)), "object 1 (car): box [30.0, 1.0, 5.0, 5.0] has no area"),
        (_object("car", (100, 100, 120, 130)), "lies outside the 64x48 image"),
    ],
)
def test_voc_errors_name_the_file_the_object_and_the_field(
    tmp_path: Path, objects: str, expected: str
) -> None:
    _image(tmp_path / "images", "a.png")
    path = _voc(tmp_path / "labels" / "a.xml", objects)
    with pytest.raises(LabelError) as raised:
        read_labelled_set(tmp_path / "images", tmp_path / "labels", default_label_kinds())
    assert str(raised.value).startswith(str(path)) and expected in str(raised.value)


def test_voc_malformed_xml_and_wrong_size_name_the_file(tmp_path: Path) -> None:
    _image(tmp_path / "images", "a.png")
    broken = tmp_path / "labels" / "a.xml"
    broken.parent.mkdir()
    broken.write_text("<annotation>\n<object><name>car</name>\n</annotation>", encoding="utf-8")
    with pytest.raises(LabelError, match=rf"^{broken}:3:\d+: not well-formed XML"):
        read_labelled_set(tmp_path / "images", tmp_path / "labels", default_label_kinds())
    _voc(broken, _object("car", (1, 1, 5, 5)), size="640</width><height>480")
    with pytest.raises(LabelError, match=rf"^{broken}: <size> says 640x480 but a.png is 64x48"):
        read_labelled_set(tmp_path / "images", tmp_path / "labels", default_label_kinds())


def _coco(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


COCO_DOCUMENT = {
    "info": {"description": "fields the reader does not use are fine"},
    "images": [
        {"id": 1, "file_name": "sub/a.png", "width": 64, "height": 48},
        {"id": 2, "file_name": "missing.png", "width": 64, "height": 48},
    ],
    "annotations": [
        {"id": 10, "image_id": 1, "category_id": 3, "bbox": [4, 6, 16, 24], "area": 384, "iscrowd": 0},
        {"id": 11, "image_id": 1, "category_id": 1, "bbox": [30.5, 2, 10, 40], "iscrowd": 1},
        {"id": 12, "image_id": 2, "category_id": 1, "bbox": [1, 1, 2, 2]},
    ],
    "categories": [
        {"id": 1, "name": "person"},
        {"id": 2, "name": "umbrella"},
        {"id": 3, "name": "motorcycle"},
    ],
}


def test_coco_reads_xywh_boxes_crowds_and_skips_images_the_folder_lacks(tmp_path: Path) -> None:
    _image(tmp_path / "images", "a.png")
    labels = _coco(tmp_path / "labels.json", COCO_DOCUMENT)

    dataset = read_labelled_set(tmp_path / "images", labels, default_label_kinds())

    assert dataset.format is LabelFormat.COCO
    (item,) = dataset.images
    np.testing.assert_allclose(item.xyxy, [[4.0, 6.0, 20.0, 30.0], [30.5, 2.0, 40.5, 42.0]])
    assert item.labels == ("motorcycle", "person") and item.ignore.tolist() == [False, True]
    # the category list decides the kinds evaluated, even one no box uses (umbrella: trading objects)
    assert dataset.kinds == (ObjectKind.TWO_WHEELER, ObjectKind.PERSON, ObjectKind.TRADING_OBJECT)
    assert dataset.skipped == (f"images[1]: missing.png is not in {tmp_path / 'images'}",)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["annotations"][1].update(bbox=[1, 2, 3]),
            "annotations[1].bbox: List should have at least 4 items",
        ),
        (lambda d: d["annotations"][2].update(image_id=7), "annotations[2].image_id: 7 is no image's id"),
        (lambda d: d["annotations"][0].update(category_id=9), "annotations[0].category_id: 9 is no category"),
        (lambda d: d["images"][0].pop("file_name"), "images[0].file_name: Field required"),
        (lambda d: d["annotations"][0].update(bbox=[4, 6, 0, 24]), "annotations[0].bbox: box"),
        (lambda d: d["images"][0].update(width=640), "images[0]: says 640x48 but a.png is 64x48"),
    ],
)
def test_coco_errors_name_the_file_and_the_field(tmp_path: Path, change: object, expected: str) -> None:
    _image(tmp_path / "images", "a.png")
    document = json.loads(json.dumps(COCO_DOCUMENT))
    change(document)  # type: ignore[operator]
    labels = _coco(tmp_path / "labels.json", document)
    with pytest.raises(LabelError) as raised:
        read_labelled_set(tmp_path / "images", labels, default_label_kinds())
    assert str(raised.value).startswith(f"{labels}: ") and expected in str(raised.value)


def test_coco_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    _image(tmp_path / "images", "a.png")
    labels = tmp_path / "labels.json"
    labels.write_text('{"images": [\n  {"id": 1,, }\n]}', encoding="utf-8")
    with pytest.raises(LabelError, match=rf"^{labels}:2:12: not JSON"):
        read_labelled_set(tmp_path / "images", labels, default_label_kinds())


def test_yolo_reads_normalised_boxes_polygons_and_data_yaml_names(tmp_path: Path) -> None:
    images, labels = tmp_path / "images", tmp_path / "labels"
    _image(images, "a.png", 100, 50)
    _image(images, "empty.png", 100, 50)  # no .txt: no objects (YOLO's convention), still evaluated
    labels.mkdir()
    (tmp_path / "data.yaml").write_text("names: {0: e-bike, 1: stall, 2: person}\n", encoding="utf-8")
    (labels / "a.txt").write_text("0 0.5 0.5 0.2 0.4\n\n1 0.1 0.2 0.3 0.2 0.2 0.6\n", encoding="utf-8")

    dataset = read_labelled_set(images, labels, default_label_kinds())

    assert dataset.format is LabelFormat.YOLO and dataset.class_names == ("e-bike", "stall", "person")
    first, empty = dataset.images
    np.testing.assert_allclose(first.xyxy, [[40, 15, 60, 35], [10, 10, 30, 30]], atol=1e-4)
    assert first.kinds == (ObjectKind.TWO_WHEELER, ObjectKind.TRADING_OBJECT)
    assert empty.image.name == "empty.png" and len(empty.labels) == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("0 0.5 0.5 0.2", ":2: expected `class cx cy w h` (5 fields)"),
        ("2 0.5 0.5 0.2 0.2", ":2: class 2 is not among the 2 classes"),
        ("x 0.5 0.5 0.2 0.2", ":2: class 'x' is not a whole number"),
        ("0 0.5 0.5 1.5 0.2", ":2: coordinates must be fractions"),
        ("0 0.5 0.5 0 0.2", ":2: width and height must be positive"),
    ],
)
def test_yolo_errors_name_the_file_and_line(tmp_path: Path, line: str, expected: str) -> None:
    _image(tmp_path / "images", "a.png")
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "classes.txt").write_text("bicycle\nperson\n", encoding="utf-8")
    (labels / "a.txt").write_text(f"1 0.5 0.5 0.1 0.1\n{line}\n", encoding="utf-8")
    with pytest.raises(LabelError) as raised:
        read_labelled_set(tmp_path / "images", labels, default_label_kinds())
    assert str(raised.value).startswith(f"{labels / 'a.txt'}:2: ") and expected in str(raised.value)


def test_yolo_without_class_names_says_where_it_looked(tmp_path: Path) -> None:
    _image(tmp_path / "images", "a.png")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"no classes\.txt or data\.yaml"):
        read_labelled_set(tmp_path / "images", tmp_path / "labels", default_label_kinds())


def test_format_is_recognised_from_the_labels_path(tmp_path: Path) -> None:
    (tmp_path / "voc").mkdir()
    (tmp_path / "voc" / "a.xml").write_text("<annotation/>", encoding="utf-8")
    (tmp_path / "yolo").mkdir()
    (tmp_path / "yolo" / "classes.txt").write_text("a\n", encoding="utf-8")
    (tmp_path / "yolo" / "a.txt").write_text("", encoding="utf-8")
    (tmp_path / "both").mkdir()
    (tmp_path / "both" / "a.xml").write_text("", encoding="utf-8")
    (tmp_path / "both" / "b.txt").write_text("", encoding="utf-8")
    (tmp_path / "coco.json").write_text("{}", encoding="utf-8")
    assert detect_format(tmp_path / "voc") is LabelFormat.VOC
    assert detect_format(tmp_path / "yolo") is LabelFormat.YOLO
    assert detect_format(tmp_path / "coco.json") is LabelFormat.COCO
    with pytest.raises(LabelError, match=r"both \.xml \(VOC\) and \.txt \(YOLO\).*--format"):
        detect_format(tmp_path / "both")


def test_class_map_file_overrides_defaults_and_names_a_bad_kind(tmp_path: Path) -> None:
    good = tmp_path / "map.yaml"
    good.write_text("Cyclist: two_wheeler\nlamp-post: other\ncart: trading_object\n", encoding="utf-8")
    kinds = load_label_kinds(good)
    assert kinds.kind_of("cyclist") is ObjectKind.TWO_WHEELER  # overridden, whatever the spelling
    assert (
        kinds.kind_of("Lamp Post") is ObjectKind.OTHER and kinds.kind_of("CART") is ObjectKind.TRADING_OBJECT
    )
    assert (
        kinds.kind_of("e_bike") is ObjectKind.TWO_WHEELER
        and kinds.kind_of("A-board") is ObjectKind.TRADING_OBJECT
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("ebike: two_weeler\n", encoding="utf-8")
    with pytest.raises(ClassMapFileError, match=rf"^{bad}: 'ebike': 'two_weeler' is not a kind"):
        load_label_kinds(bad)
