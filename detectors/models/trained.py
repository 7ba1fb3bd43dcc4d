"""Models trained here (`gridwatch models train`), by id: where they are and how the worker opens them.

``$GW_TRAINED_MODELS`` (default ``~/.cache/gridwatch/trained``) holds one folder per model, named by its id,
with ``model.yaml`` (a custom-model configuration) beside the exported model. A site may name such an id for a
camera or zone (``detection.model``), like a catalogue model. Nothing here imports ultralytics or torch.
"""

from __future__ import annotations

import os
from pathlib import Path

from detectors.models.custom import CustomModelConfig

TRAINED_DIR_ENV = "GW_TRAINED_MODELS"
MODEL_FILE = "model.yaml"


def trained_models_dir() -> Path:
    """Where trained models go by default: ``$GW_TRAINED_MODELS`` or ``~/.cache/gridwatch/trained``."""
    configured = os.environ.get(TRAINED_DIR_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "gridwatch" / "trained"


def trained_ids(root: Path | None = None) -> list[str]:
    """The ids of the trained models in the store."""
    store = root or trained_models_dir()
    if not store.is_dir():
        return []
    return sorted(p.name for p in store.iterdir() if (p / MODEL_FILE).is_file())


def trained_config(model_id: str, root: Path | None = None) -> CustomModelConfig | None:
    """The custom-model configuration of trained model ``model_id``, or None when the store has none."""
    path = (root or trained_models_dir()) / model_id / MODEL_FILE
    return CustomModelConfig.from_yaml(path) if path.is_file() else None
