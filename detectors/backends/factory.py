"""Choosing and opening a backend from configuration: ONNX Runtime (default), OpenVINO or ultralytics."""

from __future__ import annotations

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

    ONNXRUNTIME = "onnxruntime"
    OPENVINO = "openvino"
    ULTRALYTICS = "ultralytics"


class BackendChoice(BaseModel):
    """The model and the runtime a worker uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: BackendKind = Field(
        default=BackendKind.ONNXRUNTIME, description="Runtime: onnxruntime, openvino, ultralytics."
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
        default="f32",
        pattern="^(f32|bf16|f16)$",
        description="OpenVINO inference precision: f32 (the numbers ONNX Runtime gives) or bf16/f16 (faster "
        "where the CPU supports it; OpenVINO's own default on such CPUs).",
    )
    max_batch_size: int = Field(default=8, gt=0, description="Most frames per model run.")
    threads: int = Field(default=0, ge=0, description="Inference threads; 0: the CPUs this process may use.")
    resize: ResizeMode | None = Field(
        default=None, description="stretch or letterbox; unset: the model's own."
    )


def open_backend(choice: BackendChoice) -> StagedBackend:
    """Load the chosen model on the chosen runtime (imports only that runtime)."""
    if choice.kind is BackendKind.ONNXRUNTIME:
        config = OnnxRuntimeConfig(
            providers=choice.providers,
            intra_op_threads=choice.threads,
            max_batch_size=choice.max_batch_size,
            resize=choice.resize,
        )
        if choice.custom is not None:
            return OnnxRuntimeBackend.from_custom(choice.custom, config)
        return OnnxRuntimeBackend.from_cache(choice.model_id, cache_dir=choice.cache_dir, config=config)
    if choice.kind is BackendKind.OPENVINO:
        from detectors.backends.openvino_runtime import OpenVinoBackend

        return OpenVinoBackend.open(choice)
    from detectors.backends.ultralytics_pt import UltralyticsBackend

    return UltralyticsBackend.open(choice)
