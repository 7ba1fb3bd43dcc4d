"""ONNX Runtime backend: TensorRT or CUDA where this onnxruntime build and machine offer them, else CPU."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from detectors.class_map import ClassMap
from detectors.decoders.centernet import CenterNetDecoderConfig, decode_centernet
from detectors.detections import Detections
from detectors.input_resize import Placement, ResizeMode, fit_rgb
from detectors.models.cache import ModelFiles
from detectors.models.registry import DEFAULT_MODEL_ID, ModelSpec, get_model_spec

PREFERRED_PROVIDERS: tuple[str, ...] = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "CPUExecutionProvider",
)


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
        description="Threads used inside one operator; 0: the CPUs this process may use (ONNX Runtime's own "
        "default can count the host's cores inside a container and run 3x slower).",
    )
    inter_op_threads: int = Field(
        default=0, ge=0, description="Threads running independent operators in parallel; 0 lets it choose."
    )
    max_batch_size: int = Field(default=8, gt=0, description="Most frames sent through the model in one run.")
    resize: ResizeMode = Field(
        default=ResizeMode.STRETCH,
        description="How frames are fitted into the square model input: `stretch` (as @vladmandic/human "
        "does; finds more here) or `letterbox` (keeps the aspect ratio, pads with black).",
    )
    decoder: CenterNetDecoderConfig | None = Field(
        default=None, description="Post-processing settings; unset: the model's catalogue defaults."
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


class OnnxRuntimeBackend:
    """A :class:`~detectors.backends.base.DetectorBackend` running a catalogue model with ONNX Runtime."""

    def __init__(self, model_path: Path, spec: ModelSpec, config: OnnxRuntimeConfig | None = None) -> None:
        import onnxruntime as ort

        self._spec = spec
        self._config = config or OnnxRuntimeConfig()
        self._decoder = self._config.decoder or spec.decoder_defaults
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._config.intra_op_threads or usable_cpus()
        options.inter_op_num_threads = self._config.inter_op_threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=choose_providers(self._config.providers)
        )
        self._output_names = list(spec.outputs.values())
        size = spec.input_size
        self._buffer: NDArray[np.float32] = np.zeros((self._config.max_batch_size, size, size, 3), np.float32)

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

    # --- DetectorBackend -----------------------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        """Catalogue id of the model."""
        return self._spec.id

    @property
    def model_version(self) -> str:
        """Version of the model file."""
        return self._spec.version

    @property
    def class_names(self) -> tuple[str, ...]:
        """Class names in class-id order."""
        return self._spec.class_names

    @property
    def class_map(self) -> ClassMap:
        """Class name to object kind."""
        return self._spec.class_map

    @property
    def providers(self) -> list[str]:
        """The execution providers the session actually uses, best first."""
        return list(self._session.get_providers())

    @property
    def input_size(self) -> int:
        """Side of the square model input in pixels."""
        return self._spec.input_size

    def detect(self, image: NDArray[np.uint8]) -> Detections:
        """Detect objects in one BGR image."""
        return self.detect_batch([image])[0]

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each BGR image, ``max_batch_size`` images per model run."""
        results: list[Detections] = []
        step = self._config.max_batch_size
        for start in range(0, len(images), step):
            results.extend(self._run(images[start : start + step]))
        return results

    def _run(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        count = len(images)
        batch = self._buffer[:count]
        placements: list[Placement] = [
            fit_rgb(image, self._config.resize, batch[i]) for i, image in enumerate(images)
        ]
        peaks, sizes = self._session.run(self._output_names, {self._spec.input_name: batch})
        results = []
        for i, placement in enumerate(placements):
            decoded = decode_centernet(peaks[i], sizes[i], self._decoder)
            xyxy = placement.to_image(decoded.xyxy)
            inside = (xyxy[:, 2] > xyxy[:, 0]) & (xyxy[:, 3] > xyxy[:, 1])  # drop boxes left in the padding
            results.append(
                Detections(
                    xyxy=xyxy[inside],
                    class_id=decoded.class_id[inside],
                    score=decoded.score[inside],
                    class_names=self._spec.class_names,
                )
            )
        return results
