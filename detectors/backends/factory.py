"""Choosing and opening a backend from configuration: auto (default), ONNX Runtime, OpenVINO or ultralytics.

``auto`` runs the model on OpenVINO when it is installed (a dependency of Gridwatch, so normally it is) and on
ONNX Runtime otherwise. On this project's reference CPU (2 cores with AMX) OpenVINO in bf16 ran the default
model about 1.7x faster than ONNX Runtime in f32 and kept every detection scoring 0.3 or more
(``gridwatch bench detect`` measures both in the same run).
"""

from __future__ import annotations

import importlib.util
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from detectors.backends.base import StagedBackend
from detectors.backends.onnx_runtime import OnnxRuntimeBackend, OnnxRuntimeConfig
from detectors.input_resize import ResizeMode
from detectors.models.custom import CustomModelConfig
from detectors.models.registry import DEFAULT_MODEL_ID


class BackendKind(StrEnum):
    """Which runtime runs the model."""

    AUTO = "auto"
    ONNXRUNTIME = "onnxruntime"
    OPENVINO = "openvino"
    ULTRALYTICS = "ultralytics"


class BackendChoice(BaseModel):
    """The model and the runtime a worker uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: BackendKind = Field(
        default=BackendKind.AUTO,
        description="Runtime: auto (OpenVINO where installed, else ONNX Runtime), onnxruntime, openvino, "
        "ultralytics.",
    )
    model_id: str = Field(
        default=DEFAULT_MODEL_ID, description="Catalogue model (used unless `custom` is set)."
    )
    custom: CustomModelConfig | None = Field(
        default=None, description="A model file described by configuration."
    )
    cache_dir: Path | None = Field(default=None, description="Model cache; unset: $GW_MODEL_CACHE.")
    providers: tuple[str, ...] | None = Field(
        default=None, description="ONNX Runtime execution providers; unset: TensorRT, CUDA, CPU as available."
    )
    device: str = Field(
        default="CPU", description="OpenVINO device (CPU, GPU, AUTO) or torch device for .pt."
    )
    openvino_precision: str = Field(
        default="auto",
        pattern="^(auto|f32|bf16|f16)$",
        description="OpenVINO inference precision: auto (bf16 where the CPU computes it natively, e.g. AMX "
        "or AVX512-BF16; f32 elsewhere), f32 (the numbers ONNX Runtime gives), bf16 or f16.",
    )
    max_batch_size: int = Field(default=8, gt=0, description="Most frames per model run.")
    threads: int = Field(default=0, ge=0, description="Inference threads; 0: the CPUs this process may use.")
    resize: ResizeMode | None = Field(
        default=None, description="stretch or letterbox; unset: the model's own."
    )


def resolved_kind(choice: BackendChoice) -> BackendKind:
    """The runtime ``choice`` runs on: ``auto`` becomes OpenVINO where it is installed, else ONNX Runtime."""
    if choice.kind is not BackendKind.AUTO:
        return choice.kind
    if choice.custom is not None and choice.custom.path.suffix.lower() == ".pt":
        return BackendKind.ULTRALYTICS
    if importlib.util.find_spec("openvino") is not None and not choice.providers:
        return BackendKind.OPENVINO
    return BackendKind.ONNXRUNTIME


def open_backend(choice: BackendChoice) -> StagedBackend:
    """Load the chosen model on the chosen runtime (imports only that runtime)."""
    kind = resolved_kind(choice)
    if kind is BackendKind.ONNXRUNTIME:
        config = OnnxRuntimeConfig(
            providers=choice.providers,
            intra_op_threads=choice.threads,
            max_batch_size=choice.max_batch_size,
            resize=choice.resize,
        )
        if choice.custom is not None:
            return OnnxRuntimeBackend.from_custom(choice.custom, config)
        return OnnxRuntimeBackend.from_cache(choice.model_id, cache_dir=choice.cache_dir, config=config)
    if kind is BackendKind.OPENVINO:
        from detectors.backends.openvino_runtime import OpenVinoBackend

        return OpenVinoBackend.open(choice)
    from detectors.backends.ultralytics_pt import UltralyticsBackend

    return UltralyticsBackend.open(choice)
