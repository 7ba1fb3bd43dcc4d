"""The box-labelling page: draw, move and delete boxes on the frames of a YOLO labels export; set classes.

``gridwatch labels annotate --data EXPORT`` serves it. Routes: ``/`` the page; ``/api/frames`` the frames of
``examples.json`` with their boxes (pixels) and classes, and the class list (:mod:`gridwatch.label_classes`);
``/api/frames/{i}.jpg`` a frame; ``PUT /api/frames/{i}/boxes`` the frame's boxes as people left them: checked
(inside the frame, a known class), then written to the frame's YOLO label file and to ``examples.json`` (its
polarity follows: a frame with boxes is a positive, one without a negative), each atomically, so a crash never
leaves half a file. The export's split and everything else stay as they were. A rejected case's boxes
(a negative example) are kept apart as ``rejected_boxes``: shown dashed, never labels, still negatives for
``gridwatch verifier train``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from gridwatch.label_classes import LABEL_CLASS_NAMES, LABEL_CLASSES

MANIFEST = "examples.json"


class AnnotateError(ValueError):
    """An export the page cannot edit, with the reason."""


class BoxRow(BaseModel):
    """A box as the page sends it."""

    model_config = ConfigDict(extra="forbid")

    box: tuple[float, float, float, float] = Field(description="[x1, y1, x2, y2] in the frame's pixels.")
    label_class: str = Field(alias="class", description="A class name of the label class list.")


class _Export:
    """The export folder and its manifest, edited one frame at a time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if not (folder / "data.yaml").is_file():
            raise AnnotateError(
                f"{folder} is not a YOLO labels export (no data.yaml; export with --format yolo)"
            )
        try:
            self.examples: list[dict[str, Any]] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AnnotateError(f"{folder} is not a labels export ({MANIFEST} missing)") from None
        self.lock = threading.Lock()
        for example in self.examples:
            if example["polarity"] == "negative" and "rejected_boxes" not in example:
                # a rejected case's boxes were not what the rule looks for: shown apart, never as labels
                example["rejected_boxes"], example["boxes"] = example["boxes"], []
            example.setdefault("box_classes", [example["class"]] * len(example["boxes"]))

    def example(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self.examples):
            raise HTTPException(404, f"no frame {index} (the export has {len(self.examples)})")
        return self.examples[index]

    def label_file(self, example: dict[str, Any]) -> Path:
        image = Path(example["image"])  # images/<split>/<name>.jpg
        return self.folder / "labels" / image.parent.name / (image.stem + ".txt")

    def save(self, index: int, rows: list[BoxRow]) -> dict[str, Any]:
        example = self.example(index)
        width, height = int(example["width"]), int(example["height"])
        for n, row in enumerate(rows):
            x1, y1, x2, y2 = row.box
            if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
                raise HTTPException(
                    422, f"box {n + 1} {list(row.box)} is not inside the {width}x{height} frame"
                )
            if row.label_class not in LABEL_CLASS_NAMES:
                raise HTTPException(422, f"box {n + 1}: unknown class {row.label_class!r}")
        with self.lock:
            example["boxes"] = [[round(v, 1) for v in row.box] for row in rows]
            example["box_classes"] = [row.label_class for row in rows]
            example["polarity"] = "positive" if rows else "negative"
            example["source"] = "annotated"
            lines = "".join(
                f"{LABEL_CLASS_NAMES.index(row.label_class)} {(row.box[0] + row.box[2]) / 2 / width:.6f} "
                f"{(row.box[1] + row.box[3]) / 2 / height:.6f} {(row.box[2] - row.box[0]) / width:.6f} "
                f"{(row.box[3] - row.box[1]) / height:.6f}\n"
                for row in rows
            )
            _write_atomically(self.label_file(example), lines)
            _write_atomically(self.folder / MANIFEST, json.dumps(self.examples, ensure_ascii=False, indent=1))
        return example


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    Path(temporary).replace(path)


def create_box_app(folder: Path) -> FastAPI:
    """The page's app for the export in ``folder``; :class:`AnnotateError` when it is not one."""
    export = _Export(folder)
    app = FastAPI(title="Gridwatch box labelling", docs_url=None, redoc_url=None)
    page = resources.files("replay.labelling").joinpath("boxes.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    @app.get("/api/frames")
    def frames() -> dict[str, Any]:
        return {
            "classes": [{"name": c.name, "title": c.title, "kind": c.kind.value} for c in LABEL_CLASSES],
            "frames": [
                {
                    "index": i,
                    "image": e["image"],
                    "camera": e.get("camera_id"),
                    "captured_at": e.get("captured_at"),
                    "polarity": e["polarity"],
                    "width": e["width"],
                    "height": e["height"],
                    "boxes": [
                        {"box": b, "class": c} for b, c in zip(e["boxes"], e["box_classes"], strict=True)
                    ],
                    "rejected": e.get("rejected_boxes", []),
                }
                for i, e in enumerate(export.examples)
            ],
        }

    @app.get("/api/frames/{index}.jpg")
    def frame(index: int) -> FileResponse:
        path = export.folder / export.example(index)["image"]
        if not path.is_file():
            raise HTTPException(404, f"frame {index} has no image at {path}")
        return FileResponse(path, media_type="image/jpeg")

    @app.put("/api/frames/{index}/boxes")
    def save(index: int, rows: list[BoxRow]) -> dict[str, Any]:
        example = export.save(index, rows)
        return {"index": index, "polarity": example["polarity"], "boxes": len(rows)}

    return app
