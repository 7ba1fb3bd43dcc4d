"""Ultralytics backend (optional extra ``ultralytics``, which brings torch): runs ``.pt`` weights directly,
and exports them to ONNX or OpenVINO for the torch-free runtime path.

Only this module imports ultralytics, and only when a ``.pt`` model or an export is asked for.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.backends.batch_input import PreparedBatch
from detectors.backends.selection import ModelSelection
from detectors.class_map import ClassMap, coco_class_map
from detectors.models.custom import file_digest
from gridwatch.detections import Detections


class UltralyticsOptions(BaseModel):
    """The ultralytics runtime for ``.pt`` weights (needs the ``ultralytics`` extra, which brings torch)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["ultralytics"] = Field(default="ultralytics", description="Runtime kind: ultralytics.")
    device: str = Field(default="cpu", min_length=1, description="torch device: cpu, cuda, cuda:0, mps.")


class _UltralyticsPlugin:
    """Registers ultralytics (:mod:`detectors.backends.registry`)."""

    kind = "ultralytics"
    options_type = UltralyticsOptions

    def available(self) -> bool:
        return importlib.util.find_spec("ultralytics") is not None

    def open(self, selection: ModelSelection, options: UltralyticsOptions) -> UltralyticsBackend:
        return UltralyticsBackend.open(selection, options)


#: The plugin :mod:`detectors.backends.registry` lists.
ULTRALYTICS = _UltralyticsPlugin()


class UltralyticsBackend:
    """A staged backend around ``ultralytics.YOLO`` (its own pre- and post-processing run in ``infer``)."""

    def __init__(
        self, yolo: Any, model_id: str, version: str, class_map: ClassMap, settings: dict[str, Any]
    ) -> None:
        self._yolo = yolo
        self._id = model_id
        self._version = version
        self._class_map = class_map
        self._settings = settings
        names = yolo.names
        self._names = tuple(str(names[k]) for k in sorted(names)) if isinstance(names, dict) else tuple(names)
        self._kinds = tuple(class_map.kinds_of(self._names))
        self._max_batch = int(settings.pop("max_batch_size", 8))

    @classmethod
    def open(cls, choice: ModelSelection, options: UltralyticsOptions) -> UltralyticsBackend:
        """Load ``choice.custom.path`` (a ``.pt`` file) with ultralytics."""
        yolo_class = _yolo_class()
        if choice.custom is None:
            raise ValueError("the ultralytics backend runs a custom model file: configure `custom.path`")
        custom = choice.custom
        settings: dict[str, Any] = {
            "conf": custom.yolo.score_threshold,
            "iou": custom.yolo.iou_threshold,
            "max_det": custom.yolo.max_detections,
            "device": options.device.lower(),
            "verbose": False,
            "max_batch_size": choice.max_batch_size,
        }
        if custom.input_size:
            settings["imgsz"] = custom.input_size
        return cls(
            yolo_class(str(custom.path)),
            custom.id,
            custom.version or file_digest(custom.path),
            custom.class_map or coco_class_map(),
            settings,
        )

    @property
    def model_id(self) -> str:
        """Model id."""
        return self._id

    @property
    def model_version(self) -> str:
        """Model version."""
        return self._version

    @property
    def input_size(self) -> int:
        """Side of the square input ultralytics resizes frames to."""
        return int(self._settings.get("imgsz", 640))

    @property
    def class_names(self) -> tuple[str, ...]:
        """Class names in class-id order."""
        return self._names

    @property
    def class_map(self) -> ClassMap:
        """Class name to object kind."""
        return self._class_map

    @property
    def streams(self) -> int:
        """Parallel calls that help: one (the runtime parallelises inside)."""
        return 1

    @property
    def max_batch_size(self) -> int:
        """Most frames per model run."""
        return self._max_batch

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each BGR image."""
        prepared = self.prepare(images)
        return self.decode(prepared, self.infer(prepared))

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        """Ultralytics resizes inside ``predict``: the frames travel as they are."""
        self._pending = list(images)
        return PreparedBatch(tensor=np.zeros((len(images), 0), np.float32), placements=())

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        """``predict`` (ultralytics' own pre-processing, model and NMS); one (K, 6) array per frame."""
        results = self._yolo.predict(self._pending, **self._settings)
        outputs = []
        for result in results:
            boxes = result.boxes
            outputs.append(
                np.concatenate(
                    [
                        boxes.xyxy.cpu().numpy(),
                        boxes.conf.cpu().numpy()[:, None],
                        boxes.cls.cpu().numpy()[:, None],
                    ],
                    axis=1,
                ).astype(np.float32)
            )
        return outputs

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        """Detections from each frame's (K, 6) rows, already in frame pixels."""
        return [
            Detections.of_classes(
                rows[:, :4],
                np.clip(rows[:, 4], 0.0, 1.0),
                rows[:, 5].astype(np.int64),
                self._names,
                self._kinds,
            )
            for rows in outputs
        ]


def export_weights(weights: Path, fmt: str = "onnx", *, imgsz: int = 640, dynamic: bool = True) -> Path:
    """Export ``.pt`` weights to ``onnx`` or ``openvino`` with ultralytics; the exported file (or IR .xml)."""
    if fmt not in {"onnx", "openvino"}:
        raise ValueError(f"export format must be onnx or openvino, got {fmt!r}")
    exported = Path(str(_yolo_class()(str(weights)).export(format=fmt, imgsz=imgsz, dynamic=dynamic)))
    if exported.is_dir():
        xml = sorted(exported.glob("*.xml"))
        if not xml:
            raise FileNotFoundError(f"no .xml in the OpenVINO export {exported}")
        return xml[0]
    return exported


def _yolo_class() -> Any:
    """``ultralytics.YOLO``, imported only when asked for (it brings torch)."""
    return importlib.import_module("ultralytics").YOLO
