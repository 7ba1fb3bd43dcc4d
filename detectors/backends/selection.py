"""Which model a backend runs on any runtime: a catalogue id or a model file, and the batch it takes."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from detectors.input_resize import ResizeMode
from detectors.models.custom import CustomModelConfig
from detectors.models.registry import DEFAULT_MODEL_ID


class ModelSelection(BaseModel):
    """The model and the batching every runtime shares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_id: str = Field(
        default=DEFAULT_MODEL_ID, description="Catalogue model (used unless `custom` is set)."
    )
    custom: CustomModelConfig | None = Field(
        default=None, description="A model file described by configuration."
    )
    cache_dir: Path | None = Field(default=None, description="Model cache; unset: $GW_MODEL_CACHE.")
    max_batch_size: int = Field(default=8, gt=0, description="Most frames per model run.")
    threads: int = Field(default=0, ge=0, description="Inference threads; 0: the CPUs this process may use.")
    resize: ResizeMode | None = Field(
        default=None, description="stretch or letterbox; unset: the model's own."
    )
