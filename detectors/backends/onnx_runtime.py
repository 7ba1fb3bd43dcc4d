"""ONNX Runtime backend: TensorRT or CUDA where this onnxruntime build and machine offer them, else CPU."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.backends.batch_input import InputPacker, PreparedBatch, decode_batch
from detectors.backends.model_identity import RunnableModelIdentity
from detectors.backends.selection import ModelSelection
from detectors.decoders.centernet import CenterNetDecoderConfig
from detectors.input_resize import ResizeMode
from detectors.models.cache import ModelFiles
from detectors.models.custom import CustomModelConfig
from detectors.models.registry import DEFAULT_MODEL_ID, ModelSpec, get_model_spec, runnable_catalogue_model
from gridwatch.detections import Detections

PREFERRED_PROVIDERS: tuple[str, ...] = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "CPUExecutionProvider",
)


class OnnxRuntimeOptions(BaseModel):
    """The ONNX Runtime runtime: CPU by default, CUDA or TensorRT where this onnxruntime build has them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["onnxruntime"] = Field(default="onnxruntime", description="Runtime kind: onnxruntime.")
    providers: tuple[str, ...] | None = Field(
        default=None, description="Execution providers in order; unset: TensorRT, CUDA, CPU as available."
    )
    streams: int = Field(
        default=0,
        ge=0,
        description="Model runs at once on parts of a batch; 0: one per usable CPU on the CPU.",
    )


class _OnnxRuntimePlugin:
    """Registers ONNX Runtime (:mod:`detectors.backends.registry`)."""

    kind = "onnxruntime"
    options_type = OnnxRuntimeOptions

    def available(self) -> bool:
        return importlib.util.find_spec("onnxruntime") is not None

    def open(self, selection: ModelSelection, options: OnnxRuntimeOptions) -> OnnxRuntimeBackend:
        config = OnnxRuntimeConfig(
            providers=options.providers,
            streams=options.streams,
            intra_op_threads=selection.threads,
            max_batch_size=selection.max_batch_size,
            resize=selection.resize,
        )
        if selection.custom is not None:
            return OnnxRuntimeBackend.from_custom(selection.custom, config)
        return OnnxRuntimeBackend.from_cache(selection.model_id, cache_dir=selection.cache_dir, config=config)


#: The plugin :mod:`detectors.backends.registry` lists.
ONNX_RUNTIME = _OnnxRuntimePlugin()


class ModelNotBuiltError(FileNotFoundError):
    """The model is not in the cache (or fails verification): run `gridwatch models build`."""


class OnnxRuntimeConfig(BaseModel):
    """How to run a model with ONNX Runtime."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: tuple[str, ...] | None = Field(
        default=None,
        description="Execution providers in order of preference; unset: TensorRT, CUDA, CPU, keeping those "
        "this onnxruntime build offers.",
    )
    intra_op_threads: int = Field(
        default=0,
        ge=0,
        description="Threads inside one operator of one stream; 0: the CPUs this process may use divided "
        "among the streams (ONNX Runtime's own default can count the host's cores inside a container).",
    )
    streams: int = Field(
        default=0,
        ge=0,
        description="Model runs that may go on at once, each on its own part of a batch (as OpenVINO's "
        "throughput streams); 0: one per usable CPU on the CPU provider (a small network scales better "
        "across frames than inside one, and never spin-waits on a busy machine), one on GPU providers.",
    )
    inter_op_threads: int = Field(
        default=0, ge=0, description="Threads running independent operators in parallel; 0 lets it choose."
    )
    max_batch_size: int = Field(default=8, gt=0, description="Most frames sent through the model in one run.")
    resize: ResizeMode | None = Field(
        default=None,
        description="How frames are fitted into the square model input: `stretch` (as @vladmandic/human "
        "does; finds more with the CenterNet model) or `letterbox` (keeps the aspect ratio, pads with "
        "black; how YOLO models are trained); unset: the model's own default.",
    )
    decoder: CenterNetDecoderConfig | None = Field(
        default=None,
        description="CenterNet post-processing settings for catalogue models; unset: the catalogue defaults.",
    )


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def choose_providers(preferred: Sequence[str] | None = None) -> list[str]:
    """The providers to ask for: ``preferred`` (default: GPU first) filtered to those available here."""
    import onnxruntime as ort

    available = set(ort.get_available_providers())
    chosen = [p for p in (preferred or PREFERRED_PROVIDERS) if p in available]
    if not chosen:
        raise ValueError(
            f"none of the providers {list(preferred or [])} is available (have {sorted(available)})"
        )
    return chosen


class OnnxRuntimeBackend(RunnableModelIdentity):
    """A :class:`~detectors.backends.base.StagedBackend` running a model with ONNX Runtime."""

    def __init__(
        self,
        model_path: Path,
        spec: ModelSpec | CustomModelConfig,
        config: OnnxRuntimeConfig | None = None,
    ) -> None:
        self._config = config or OnnxRuntimeConfig()
        providers = choose_providers(self._config.providers)
        on_cpu = providers[0] == "CPUExecutionProvider"
        streams = self._config.streams or (usable_cpus() if on_cpu else 1)
        threads = self._config.intra_op_threads or max(1, usable_cpus() // streams)
        self._session = self._open_session(model_path, providers, threads)
        self._streams = streams
        first = self._session.get_inputs()[0]
        if isinstance(spec, ModelSpec):
            self._model = runnable_catalogue_model(spec, self._config.decoder)
        else:
            metadata = dict(self._session.get_modelmeta().custom_metadata_map)
            self._model = spec.resolve(metadata, list(first.shape))
        self._input_name = self._model.input_name or first.name
        self._output_names = list(self._model.output_names or [o.name for o in self._session.get_outputs()])
        batch_dim = next(i.shape[0] for i in self._session.get_inputs() if i.name == self._input_name)
        self._fixed_batch = batch_dim if isinstance(batch_dim, int) and batch_dim > 0 else None
        self._packer = InputPacker(
            self._model, self._config.resize or self._model.default_resize, self._config.max_batch_size
        )

    def _open_session(self, model_path: Path, providers: list[str], threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = self._config.inter_op_threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(str(model_path), sess_options=options, providers=providers)

    @classmethod
    def from_cache(
        cls,
        model_id: str = DEFAULT_MODEL_ID,
        *,
        cache_dir: Path | None = None,
        config: OnnxRuntimeConfig | None = None,
    ) -> OnnxRuntimeBackend:
        """Open a built catalogue model from the model cache; :class:`ModelNotBuiltError` when absent."""
        spec = get_model_spec(model_id)
        files = ModelFiles.of(spec, cache_dir)
        if not files.is_built(verify=False):
            raise ModelNotBuiltError(
                f"model {spec.id} {spec.version} is not built in {files.root}: run `gridwatch models build`"
            )
        return cls(files.onnx, spec, config)

    @classmethod
    def from_custom(
        cls, custom: CustomModelConfig, config: OnnxRuntimeConfig | None = None
    ) -> OnnxRuntimeBackend:
        """Open a custom ONNX model (e.g. an exported YOLO11) described by configuration."""
        if not custom.path.is_file():
            raise FileNotFoundError(f"model file {custom.path} does not exist")
        return cls(custom.path, custom, config)

    # --- DetectorBackend (identity from RunnableModelIdentity) ----------------------------------------------
    @property
    def session(self) -> Any:
        """The ONNX Runtime session (for benchmarks comparing against it)."""
        return self._session

    @property
    def providers(self) -> list[str]:
        """The execution providers the session actually uses, best first."""
        return list(self._session.get_providers())

    @property
    def max_batch_size(self) -> int:
        """Most frames per model run."""
        return self._packer.max_batch_size

    @property
    def streams(self) -> int:
        """How many prepare/infer/decode calls may usefully run at once (from as many threads)."""
        return self._streams

    def detect(self, image: NDArray[np.uint8]) -> Detections:
        """Detect objects in one BGR image."""
        return self.detect_batch([image])[0]

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each BGR image, ``max_batch_size`` images per model run."""
        results: list[Detections] = []
        step = self.max_batch_size
        for start in range(0, len(images), step):
            prepared = self.prepare(images[start : start + step])
            results.extend(self.decode(prepared, self.infer(prepared)))
        return results

    # --- StagedBackend -------------------------------------------------------------------------------------
    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        """Resize and normalise frames into the input tensor (a view of a reused buffer)."""
        return self._packer.pack(images)

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        """Run the model on the batch (in chunks when its batch size is fixed); safe to call from ``streams``
        threads at once, each with its own prepared batch."""
        tensor = prepared.tensor
        step = self._fixed_batch
        if step is None or len(tensor) == step:
            return self._run(tensor)
        chunks = [self._run(tensor[i : i + step]) for i in range(0, len(tensor), step)]
        return [np.concatenate([chunk[k] for chunk in chunks]) for k in range(len(self._output_names))]

    def _run(self, tensor: NDArray[np.float32]) -> list[NDArray[np.float32]]:
        outputs: list[NDArray[np.float32]] = self._session.run(self._output_names, {self._input_name: tensor})
        return outputs

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        """Boxes in each frame's pixels."""
        return decode_batch(self._model, prepared, outputs)
