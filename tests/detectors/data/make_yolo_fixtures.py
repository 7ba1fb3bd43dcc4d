# mypy: ignore-errors
# (runs in a separate environment with torch and ultralytics, which the project never installs)
"""Regenerates the YOLO fixtures of test_yolo_ultralytics.py from ultralytics' own model definitions.

Not run by the tests (they need no torch). Run it in a separate environment with torch and ultralytics:

    python -m venv /tmp/ultra && /tmp/ultra/bin/pip install torch ultralytics onnx onnxslim onnxruntime
    /tmp/ultra/bin/python tests/detectors/data/make_yolo_fixtures.py

For each of YOLO11 and YOLO26 it builds the detection model from ultralytics' YAML definition, shrunk
(width multiple 1/16, 3 classes), with random weights from a fixed seed; exports it to ONNX at 128x128 as
`yolo export format=onnx` does; runs it on a fixed input; and records ultralytics' own post-processing of that
raw output (``ops.non_max_suppression`` for YOLO11; the end-to-end rows above the threshold for YOLO26).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
import yaml
from ultralytics import YOLO
from ultralytics.utils.checks import check_yaml
from ultralytics.utils.nms import non_max_suppression

HERE = Path(__file__).resolve().parent
NAMES = {0: "person", 1: "ebike", 2: "stall"}
SIZE = 128
CONF, IOU = 0.25, 0.7  # ultralytics' predict defaults


def fixed_input() -> np.ndarray:
    """(1, 3, 128, 128) float32 in 0..1, busy enough to spread the scores; the same in the tests."""
    return (
        ((np.sin(np.arange(3 * SIZE * SIZE, dtype=np.float64) * 0.7311) + 1) / 2)
        .reshape(1, 3, SIZE, SIZE)
        .astype(np.float32)
    )


def tiny(definition: str, work: Path) -> Path:
    """The model family's YAML (``yolo11.yaml``) with a tiny scale ``t`` and our 3 classes."""
    document = yaml.safe_load(Path(check_yaml(definition)).read_text())
    document["nc"] = len(NAMES)
    document["scales"] = {"t": [0.25, 0.0625, 256]}
    path = work / definition.replace(".yaml", "t.yaml")  # the trailing scale letter picks `t`
    path.write_text(yaml.safe_dump(document))
    return path


def build(definition: str, stem: str, work: Path) -> dict[str, object]:
    torch.manual_seed(0)
    model = YOLO(str(tiny(definition, work)))
    model.model.names = NAMES
    with torch.no_grad():  # ultralytics' own initialisation, nudged so that class scores spread out
        for parameter in model.model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.2)
        head = model.model.model[-1]
        for branch in ("cv3", "one2one_cv3"):
            for sequence in getattr(head, branch, None) or ():
                sequence[-1].bias.normal_(-1.0, 1.0)
                sequence[-1].weight.normal_(0.0, 0.3)
    exported = Path(
        str(model.export(format="onnx", imgsz=SIZE, dynamic=True, simplify=False, opset=17, nms=False))
    )
    target = HERE / f"{stem}.onnx"
    shutil.copy(exported, target)
    raw = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"]).run(
        None, {"images": fixed_input()}
    )[0]
    if raw.shape[-1] == 6:  # end to end: (1, K, 6)
        rows = raw[0][raw[0][:, 4] >= CONF]
        reference = rows[np.argsort(-rows[:, 4], kind="stable")]
    else:
        sys.modules.pop("torchvision", None)  # ultralytics' own TorchNMS (matches torchvision's exactly)
        reference = non_max_suppression(torch.from_numpy(raw), CONF, IOU, max_det=300)[0].numpy()
    return {
        "file": target.name,
        "output_shape": list(raw.shape),
        "reference": reference.round(4).tolist(),
        "raw_sha_input": "sin(i * 0.7311)",
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        fixtures = {
            "yolo11": build("yolo11.yaml", "yolo11t-random", work),
            "yolo26": build("yolo26.yaml", "yolo26t-random", work),
        }
    fixtures["meta"] = {"size": SIZE, "conf": CONF, "iou": IOU, "names": NAMES}
    (HERE / "yolo_reference.json").write_text(json.dumps(fixtures, indent=1) + "\n")


if __name__ == "__main__":
    main()
