"""From decisions to a training set: cases rejected and verified through the workflow, their labelled examples
exported by `gridwatch labels export` as YOLO and COCO, split by camera and time; `list` and `delete`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from dispatch.domain import commands as c
from dispatch.label_export import CLASSES, ExportError, ExportFormat, export_labels
from dispatch.persistence.label_tables import LabelRecord
from tests.dispatch.core.flows import LEADER, OPERATOR, accept, actor, handle
from tests.dispatch.core.harness import Harness, incident, local

PUBLISHED = (960, 540)  # ingest publishes the 1920x1080 camera at 960 px: the frame the boxes are scaled to
BIKE = (100.0, 600.0, 180.0, 700.0)  # in the camera's native 1920x1080 pixels
T0 = local("2026-11-23 07:00")


def _frame(folder: Path, name: str, seed: int) -> str:
    """A snapshot URL whose clean frame (``.raw.jpg``) is a real JPEG at the published size."""
    image = np.random.default_rng(seed).integers(0, 255, (PUBLISHED[1], PUBLISHED[0], 3), dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / f"{name}.raw.jpg"), image)
    cv2.imwrite(str(folder / f"{name}.jpg"), 255 - image)  # the annotated snapshot: never exported
    return (folder / f"{name}.jpg").as_uri()


def _decide(h: Harness, tmp_path: Path, n: int, at: datetime, *, real: bool) -> str:
    incident_id = f"inc-{n}"
    url = _frame(tmp_path / "evidence", f"f{n}", n)
    h.core.bus.handle(
        c.ReceiveIncident(
            incident(
                incident_id, observed_at=at, started_at=at, boxes=(BIKE,), object_count=1, evidence_url=url
            )
        )
    )
    case_id = h.case_of(incident_id).id
    if real:
        accept(h, case_id)
        handle(h, case_id, photo=f"ph-{n}")
        h.core.bus.handle(c.VerifyCase(case_id, actor(h, LEADER)))
    else:
        h.core.bus.handle(c.RejectCase(case_id, actor(h, OPERATOR), reason="a parked delivery tricycle"))
    return case_id


@pytest.fixture
def decided(harness: Harness, tmp_path: Path) -> Harness:
    """Eight cases an hour apart (and one a few seconds after the first, the same minute): five verified,
    four rejected."""
    for n in range(8):
        _decide(harness, tmp_path, n, T0 + timedelta(hours=n), real=n % 2 == 0)
    _decide(harness, tmp_path, 8, T0 + timedelta(seconds=20), real=False)
    return harness


def _url(h: Harness) -> str:
    return h.engine.url.render_as_string(hide_password=False)


def _labels(h: Harness) -> list[LabelRecord]:
    with Session(h.engine) as session:
        rows = list(session.scalars(select(LabelRecord).order_by(LabelRecord.id)))
        session.expunge_all()
        return rows


def test_yolo_export_splits_by_camera_and_time_with_boxes_on_the_published_frame(
    decided: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "yolo"
    code = main(["labels", "export", "--format", "yolo", "--out", str(out), "--url", _url(decided)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    manifest = json.loads((out / "examples.json").read_text())
    assert len(manifest) == 9 and {e["polarity"] for e in manifest} == {"positive", "negative"}
    splits = {e["split"] for e in manifest}
    assert splits == {"train", "val"}  # eight hours: both splits have something
    by_minute: dict[str, set[str]] = {}
    for example in manifest:
        by_minute.setdefault(example["camera_id"] + example["captured_at"][:16], set()).add(example["split"])
    assert all(len(s) == 1 for s in by_minute.values())  # a camera-minute never in both
    data = (out / "data.yaml").read_text()
    assert "train: images/train" in data and "0: two_wheeler" in data
    for example in manifest:
        image = cv2.imread(str(out / example["image"]))
        assert image is not None and image.shape[:2] == (PUBLISHED[1], PUBLISHED[0])
        label_file = out / example["image"].replace("images/", "labels/", 1).replace(".jpg", ".txt")
        rows = label_file.read_text().split()
        if example["polarity"] == "positive":  # the bike at half the native size, normalised
            assert rows[0] == str(CLASSES.index("two_wheeler"))
            np.testing.assert_allclose(
                [float(v) for v in rows[1:]], [140 / 1920, 650 / 1080, 80 / 1920, 100 / 1080], atol=1e-5
            )
            assert example["boxes"] == [[50.0, 300.0, 90.0, 350.0]]
        else:  # a background image: the boxes it had were not bikes
            assert rows == [] and example["boxes"] == [[50.0, 300.0, 90.0, 350.0]]
    # the clean frame went out, not the annotated snapshot
    first = manifest[0]
    raw = cv2.imread(str(tmp_path / "evidence" / "f0.raw.jpg"))
    exported = cv2.imread(str(out / first["image"]))
    assert raw is not None and exported is not None and np.abs(exported.astype(int) - raw).mean() < 1
    train = sum(e["split"] == "train" for e in manifest)
    assert f"train: {train} images" in printed and f"val: {9 - train} images" in printed


def test_coco_export_has_categories_positive_annotations_and_negative_images(
    decided: Harness, tmp_path: Path
) -> None:
    out = tmp_path / "coco"
    assert main(["labels", "export", "--format", "coco", "--out", str(out), "--url", _url(decided)]) == 0
    images = annotations = 0
    for split in ("train", "val"):
        document = json.loads((out / "annotations" / f"instances_{split}.json").read_text())
        assert [c["name"] for c in document["categories"]] == list(CLASSES)
        images += len(document["images"])
        annotations += len(document["annotations"])
        for annotation in document["annotations"]:
            assert annotation["bbox"] == [50.0, 300.0, 40.0, 50.0] and annotation["category_id"] == 1
        for image in document["images"]:
            assert (out / "images" / split / image["file_name"]).is_file()
    assert (images, annotations) == (9, 4)  # 4 verified bikes; 5 rejected frames without annotations


def test_the_split_of_an_example_stays_as_labels_grow(harness: Harness, tmp_path: Path) -> None:
    for n in range(8):  # hour 6's group is the validation one
        _decide(harness, tmp_path, n, T0 + timedelta(hours=n), real=True)
    first = export_labels(
        _labels(harness), tmp_path / "a", ExportFormat.YOLO, fetch=lambda u: Path(u[7:]).read_bytes()
    )
    for n in range(8, 12):
        _decide(harness, tmp_path, n, T0 + timedelta(hours=n), real=True)
    export_labels(
        _labels(harness), tmp_path / "b", ExportFormat.YOLO, fetch=lambda u: Path(u[7:]).read_bytes()
    )
    before = {e["case_id"]: e["split"] for e in json.loads((tmp_path / "a" / "examples.json").read_text())}
    after = {e["case_id"]: e["split"] for e in json.loads((tmp_path / "b" / "examples.json").read_text())}
    assert (first.images["train"], first.images["val"]) == (7, 1)
    assert {case: after[case] for case in before} == before and len(after) == 12


def test_an_export_skips_what_it_cannot_read_and_says_why_and_refuses_a_used_folder(
    decided: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "evidence" / "f3.raw.jpg").unlink()
    (tmp_path / "evidence" / "f5.raw.jpg").write_bytes(b"not a jpeg")
    out = tmp_path / "x"
    assert main(["labels", "export", "--format", "yolo", "--out", str(out), "--url", _url(decided)]) == 0
    printed = capsys.readouterr().out
    assert len(json.loads((out / "examples.json").read_text())) == 7
    assert "f3.raw.jpg: [Errno 2]" in printed and "f5.raw.jpg is not an image" in printed
    assert main(["labels", "export", "--format", "coco", "--out", str(out), "--url", _url(decided)]) == 2
    assert "is not an empty folder" in capsys.readouterr().err
    with pytest.raises(ExportError, match="below 1"):
        export_labels([], tmp_path / "y", ExportFormat.YOLO, val_share=1.0)


def test_list_and_delete_by_camera_time_and_case(
    decided: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url(decided)
    assert main(["labels", "list", "--url", url]) == 0
    printed = capsys.readouterr().out
    assert "9 labelled examples" in printed
    assert "cam-0001  rejected      negative 5" in printed and "cam-0001  verified      positive 4" in printed
    assert main(["labels", "delete", "--url", url]) == 2  # no filter, no --all: nothing goes
    assert "--all" in capsys.readouterr().err
    before = (T0 + timedelta(hours=2)).isoformat()
    assert main(["labels", "delete", "--url", url, "--before", before]) == 0
    assert "deleted 3 labelled examples" in capsys.readouterr().out  # hours 0 and 1, and the 07:00:20 one
    assert len(_labels(decided)) == 6
    assert main(["labels", "list", "--url", url, "--json", "--camera", "cam-0001"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 6 and all(row["frame_url"].endswith(".raw.jpg") for row in rows)
    assert main(["labels", "delete", "--url", url, "--case", rows[0]["case_id"]]) == 0
    assert main(["labels", "delete", "--url", url, "--all"]) == 0
    assert "deleted 5 labelled examples" in capsys.readouterr().out.splitlines()[-1]
    assert _labels(decided) == []
