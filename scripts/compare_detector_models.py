"""Two-wheeler recall and speed of the catalogue models side by side (issue: a second model, COCO-SSD).

Recall: on the team's labelled photos (``/work/shared/data/footage/two-wheelers``, VOC XML; never committed),
a labelled bicycle/motorcycle/scooter counts as found when a detection of kind ``two_wheeler`` overlaps it by
IoU >= 0.3, with each model's default settings (ONNX Runtime; OpenVINO f32 is checked to find the same), and
at a sweep of score thresholds, with the two-wheeler detections that match no label (false alarms, or
two-wheelers the labellers skipped).

Speed: the detector worker's pipeline (decode, resize, model, decoder, NMS, tracker) on the same frames for
every model x runtime x batch size, interleaved chunk by chunk, best of ``--rounds`` (the bench's
:func:`~detectors.bench.report.interleaved_fps`), as ms per frame. Run from the repository root, with the
models built (``gridwatch models build``):

    .venv/bin/python scripts/compare_detector_models.py [--frames 32] [--rounds 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.backends.base import StagedBackend
from detectors.backends.factory import BackendChoice, open_backend
from detectors.backends.onnx_runtime import OnnxRuntimeBackend
from detectors.backends.registry import runtime_options
from detectors.bench.bench_frames import load_bench_frames
from detectors.bench.report import _worker as worker_path  # the bench's own worker pipeline per batch size
from detectors.bench.report import interleaved_fps
from detectors.boxes import box_iou
from detectors.class_map import ObjectKind
from detectors.decoders.centernet import CenterNetDecoderConfig
from detectors.decoders.ssd import SsdDecoderConfig
from detectors.models.cache import ModelFiles
from detectors.models.registry import ModelSpec, catalogue

TWO_WHEELERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "footage" / "two-wheelers"
VOC_TWO_WHEELER_CLASSES = {"bicycle", "motorcycle", "scooter"}
MATCH_IOU = 0.3
SWEEP = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def _labelled(xml_path: Path) -> NDArray[np.float32]:
    boxes = []
    for obj in ET.parse(xml_path).getroot().iter("object"):
        if (obj.findtext("name") or "").strip().lower() in VOC_TWO_WHEELER_CLASSES:
            box = obj.find("bndbox")
            if box is not None:
                boxes.append([float(box.findtext(k) or 0) for k in ("xmin", "ymin", "xmax", "ymax")])
    return np.array(boxes, np.float32).reshape(-1, 4)


def _read(path: Path) -> NDArray[np.uint8]:
    image = cv2.imread(str(path))
    if image is None:
        raise ValueError(f"cannot read {path}")
    return np.asarray(image, np.uint8)


class _Boxes(Protocol):
    """The columns of a backend's detections this script reads."""

    @property
    def xyxy(self) -> NDArray[np.float32]: ...
    @property
    def class_id(self) -> NDArray[np.int64]: ...
    @property
    def score(self) -> NDArray[np.float32]: ...


def _found(labelled: NDArray[np.float32], detections: _Boxes, backend: StagedBackend) -> int:
    return _matched(labelled, detections, backend)[0]


def _matched(
    labelled: NDArray[np.float32], detections: _Boxes, backend: StagedBackend, min_score: float = 0.0
) -> tuple[int, int]:
    """(labelled two-wheelers found, two-wheeler detections matching none), of those >= ``min_score``."""
    kinds = [backend.class_map.kind_of(backend.class_names[i]) for i in detections.class_id.tolist()]
    keep = np.array([k is ObjectKind.TWO_WHEELER for k in kinds], bool) & (detections.score >= min_score)
    found = np.asarray(detections.xyxy, np.float32)[keep].reshape(-1, 4)
    if not len(labelled) or not len(found):
        return 0, len(found)
    iou = box_iou(labelled, found) >= MATCH_IOU
    return int(iou.any(axis=1).sum()), int((~iou.any(axis=0)).sum())


def _with_threshold(spec: ModelSpec, threshold: float) -> ModelSpec:
    defaults = spec.decoder_defaults
    lowered: CenterNetDecoderConfig | SsdDecoderConfig = defaults.model_copy(
        update={"score_threshold": threshold}
    )
    return spec.model_copy(update={"decoder_defaults": lowered})


def measure_recall(specs: Sequence[ModelSpec]) -> dict[str, Any]:
    """Two-wheelers found per model (defaults, both runtimes) and per score threshold."""
    paths = sorted((TWO_WHEELERS / "images").glob("*.jpg"))
    images = [_read(p) for p in paths]
    labels = [_labelled(TWO_WHEELERS / "labels_voc" / f"{p.stem}.xml") for p in paths]
    total = sum(len(b) for b in labels)
    result: dict[str, Any] = {"labelled": total, "images": len(paths), "models": {}}
    for spec in specs:
        files = ModelFiles.of(spec)
        row: dict[str, Any] = {"default_threshold": spec.decoder_defaults.score_threshold}
        for name, kind in (("onnxruntime", "onnxruntime"), ("openvino-f32", "openvino")):
            backend = open_backend(
                BackendChoice(runtime=_runtime(kind, "f32"), model_id=spec.id, max_batch_size=8)
            )
            per_image = [
                _found(b, backend.detect_batch([im])[0], backend)
                for im, b in zip(images, labels, strict=True)
            ]
            row[f"found_{name}"] = sum(per_image)
            row[f"per_image_{name}"] = {
                p.name: f"{f}/{len(b)}" for p, f, b in zip(paths, per_image, labels, strict=True)
            }
        low = OnnxRuntimeBackend(files.onnx, _with_threshold(spec, min(SWEEP)))
        detections = [low.detect_batch([im])[0] for im in images]
        sweep: dict[str, str] = {}
        for threshold in SWEEP:
            counts = [_matched(b, d, low, threshold) for d, b in zip(detections, labels, strict=True)]
            found, unmatched = sum(c[0] for c in counts), sum(c[1] for c in counts)
            sweep[f"{threshold:.2f}"] = f"{found} found, {unmatched} unmatched"
        row["sweep"] = sweep
        result["models"][spec.id] = row
    return result


def measure_speed(specs: Sequence[ModelSpec], frames: int, rounds: int) -> dict[str, Any]:
    """ms per frame through the worker pipeline, every model x runtime x batch size interleaved."""
    bench = load_bench_frames(frames)
    runtimes = {  # runtime label -> (kind, OpenVINO precision)
        "onnxruntime": ("onnxruntime", "auto"),
        "openvino-f32": ("openvino", "f32"),
        "openvino-auto": ("openvino", "auto"),
    }
    paths: dict[str, Any] = {}
    pipelines: list[Any] = []
    labels: dict[str, str] = {}
    for spec in specs:
        for runtime, (kind, precision) in runtimes.items():
            choice = BackendChoice(runtime=_runtime(kind, precision), model_id=spec.id, max_batch_size=8)
            backend = open_backend(choice)
            labels[runtime] = f"{runtime} ({getattr(backend, 'precision', 'f32')}, {backend.streams} streams)"
            for batch in (1, 8):
                paths[f"{spec.id} {runtime} b{batch}"], pipeline = worker_path(backend, batch)
                pipelines.append(pipeline)
    load_before = os.getloadavg()
    fps = interleaved_fps(paths, bench.frames, 8, rounds)
    load_after = os.getloadavg()
    for pipeline in pipelines:
        pipeline.close()
    return {
        "frames": f"{len(bench.frames)} from {bench.source}",
        "rounds": rounds,
        "runtimes": labels,
        "ms_per_frame": {name: round(1000.0 / value, 2) for name, value in fps.items()},
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "cpus": len(os.sched_getaffinity(0)),
    }


def _runtime(kind: str, precision: str) -> Any:
    """``kind``'s runtime options, with ``precision`` where the runtime has one (OpenVINO)."""
    return runtime_options(kind, **({"precision": precision} if kind == "openvino" else {}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=32, help="frames for the speed measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (best counts)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    specs = [spec for spec in catalogue().values() if ModelFiles.of(spec).is_built(verify=False)]
    report: dict[str, Any] = {"models": [f"{s.id} {s.version}" for s in specs]}
    if TWO_WHEELERS.is_dir():
        report["two_wheeler_recall"] = measure_recall(specs)
    else:
        report["two_wheeler_recall"] = f"{TWO_WHEELERS} is absent"
    report["speed"] = measure_speed(specs, args.frames, args.rounds)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
