"""OpenVINO backend for CPU deployments (Intel CPUs and iGPUs): reads ONNX or OpenVINO IR (.xml) directly.

Only this module imports ``openvino``. Pre- and post-processing are the same as the ONNX Runtime backend's;
with f32 precision both give the same boxes, with bf16 (``auto`` on CPUs that compute it natively) the scores
move by a few thousandths.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.backends.batch_input import InputPacker, PreparedBatch, decode_batch
from detectors.backends.model_identity import RunnableModelIdentity
from detectors.backends.selection import ModelSelection
from detectors.models.cache import ModelFiles
from detectors.models.registry import get_model_spec, runnable_catalogue_model
from detectors.models.runnable import RunnableModel
from gridwatch.detections import Detections


class OpenVinoOptions(BaseModel):
    """The OpenVINO runtime: Intel CPUs and iGPUs, ONNX or IR (.xml) models."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["openvino"] = Field(default="openvino", description="Runtime kind: openvino.")
    device: str = Field(default="CPU", min_length=1, description="OpenVINO device: CPU, GPU, AUTO.")
    precision: Literal["auto", "f32", "bf16", "f16"] = Field(
        default="auto",
        description="Inference precision: auto (bf16 where the CPU computes it natively, e.g. AMX or "
        "AVX512-BF16; f32 elsewhere), f32 (the numbers ONNX Runtime gives), bf16 or f16.",
    )


class _OpenVinoPlugin:
    """Registers OpenVINO (:mod:`detectors.backends.registry`)."""

    kind = "openvino"
    options_type = OpenVinoOptions

    def available(self) -> bool:
        return importlib.util.find_spec("openvino") is not None

    def open(self, selection: ModelSelection, options: OpenVinoOptions) -> OpenVinoBackend:
        return OpenVinoBackend.open(selection, options)


#: The plugin :mod:`detectors.backends.registry` lists.
OPENVINO = _OpenVinoPlugin()


class OpenVinoBackend(RunnableModelIdentity):
    """A :class:`~detectors.backends.base.StagedBackend` running a model with OpenVINO."""

    def __init__(
        self, compiled: Any, model: RunnableModel, packer: InputPacker, precision: str = "f32"
    ) -> None:
        self.precision = precision
        """The inference precision the model was compiled with (f32, bf16 or f16)."""
        self._compiled = compiled
        self._model = model
        self._packer = packer
        self._local = threading.local()  # one infer request per calling thread
        self._input_lock = threading.Lock()
        try:
            self._streams = max(1, int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
        except (RuntimeError, TypeError, ValueError):
            self._streams = 1

    @classmethod
    def open(cls, choice: ModelSelection, options: OpenVinoOptions) -> OpenVinoBackend:
        """Compile the chosen model (catalogue ONNX, custom ONNX or IR) for ``options.device``."""
        core = importlib.import_module("openvino").Core()
        precision = _precision(core, options.device, options.precision)
        config: dict[str, Any] = {"PERFORMANCE_HINT": "THROUGHPUT", "INFERENCE_PRECISION_HINT": precision}
        if choice.threads:
            config["INFERENCE_NUM_THREADS"] = choice.threads
        if choice.custom is not None:
            path = choice.custom.path
            network = core.read_model(str(path))
            shape = [d.get_length() if d.is_static else None for d in network.inputs[0].get_partial_shape()]
            model = choice.custom.resolve(_ultralytics_metadata(path), shape)
        else:
            spec = get_model_spec(choice.model_id)
            files = ModelFiles.of(spec, choice.cache_dir)
            network = core.read_model(str(files.onnx))
            model = runnable_catalogue_model(spec)
        compiled = core.compile_model(network, options.device, config)
        packer = InputPacker(model, choice.resize or model.default_resize, choice.max_batch_size)
        return cls(compiled, model, packer, precision)

    @property
    def streams(self) -> int:
        """Infer requests that usefully run at once (OpenVINO's throughput streams)."""
        return self._streams

    @property
    def max_batch_size(self) -> int:
        """Most frames per model run."""
        return self._packer.max_batch_size

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each BGR image."""
        results: list[Detections] = []
        for start in range(0, len(images), self.max_batch_size):
            prepared = self.prepare(images[start : start + self.max_batch_size])
            results.extend(self.decode(prepared, self.infer(prepared)))
        return results

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        """Resize and normalise frames into the input tensor."""
        return self._packer.pack(images)

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        """Run the compiled model; outputs in the decoder's order."""
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        # Two threads resizing their requests' input tensors at once (batches of different sizes) were seen
        # to hang for good inside OpenVINO's Python data dispatcher on a loaded machine: the resize and copy
        # are done here, one thread at a time (a memory copy); the inference itself runs unlocked.
        with self._input_lock:
            tensor = request.get_input_tensor(0)
            if tuple(tensor.shape) != prepared.tensor.shape:
                tensor.shape = prepared.tensor.shape
            np.copyto(tensor.data, prepared.tensor)
        result = request.infer()
        names = self._model.output_names
        outputs = self._compiled.outputs
        if names is None:
            return [np.asarray(result[output]) for output in outputs]
        by_name = {name: output for output in outputs for name in output.get_names()}
        return [np.asarray(result[by_name[name]]) for name in names]

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        """Boxes in each frame's pixels."""
        return decode_batch(self._model, prepared, outputs)


def _ultralytics_metadata(path: Path) -> dict[str, str]:
    """``names`` and ``imgsz``: from an ONNX file's metadata, or the ``metadata.yaml`` ultralytics writes
    next to an exported IR model."""
    if path.suffix.lower() == ".onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return dict(session.get_modelmeta().custom_metadata_map)
    metadata_file = path.with_name("metadata.yaml")
    if not metadata_file.is_file():
        return {}
    document = yaml.safe_load(metadata_file.read_text(encoding="utf-8")) or {}
    return {key: repr(document[key]) for key in ("names", "imgsz") if key in document}


def _precision(core: Any, device: str, requested: str) -> str:
    """``auto``: bf16 where ``device`` lists native BF16 among its capabilities, f32 elsewhere."""
    if requested != "auto":
        return requested
    try:
        capabilities = core.get_property(device, "OPTIMIZATION_CAPABILITIES")
    except RuntimeError:
        return "f32"
    return "bf16" if "BF16" in capabilities else "f32"
