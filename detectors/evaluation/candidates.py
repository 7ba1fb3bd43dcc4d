"""The models an evaluation runs: catalogue models that are built, their ensemble, custom model files.

Each is opened as deployed (:func:`~detectors.backends.factory.open_backend`) and, for the evaluation,
decoded down to the evaluation's minimum score
(:class:`~detectors.backends.ensemble.RescoredBackend`, or an ensemble keeping fused boxes that low):
the detections at or above the model's own operating threshold are exactly what it reports when deployed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from detectors.backends.base import StagedBackend
from detectors.backends.ensemble import (
    EnsembleBackend,
    RescoredBackend,
    ensemble_id,
    ensemble_members,
    operating_threshold,
)
from detectors.backends.factory import BackendChoice, open_backend, resolved_kind
from detectors.backends.registry import runtime_options
from detectors.evaluation.results import SkippedModel
from detectors.evaluation.runner import StreamedDetect, ViewedDetect
from detectors.models.cache import ModelFiles
from detectors.models.custom import CustomModelConfig
from detectors.models.registry import catalogue
from gridwatch.config import CameraDetection


@dataclass(frozen=True, slots=True)
class Candidate:
    """A model to evaluate: a catalogue id, an ensemble id, or a custom model file."""

    model_id: str
    custom: CustomModelConfig | None = None


@dataclass(frozen=True, slots=True)
class OpenedModel:
    """A model ready to evaluate and to time."""

    model_id: str
    model_version: str
    runtime: str
    operating_threshold: float
    detect: StreamedDetect
    """Detections down to the evaluation's minimum score."""
    deployed: StreamedDetect
    """Detections as deployed (for timing)."""

    def close(self) -> None:
        """Stop its threads."""
        self.detect.close()
        self.deployed.close()


def choose_candidates(
    requested: str, custom: Sequence[CustomModelConfig] = (), cache_dir: Path | None = None
) -> tuple[list[Candidate], list[SkippedModel]]:
    """The models ``requested`` names (``all``: every catalogue model and, with two or more built, their
    ensemble; else ids and ``ensemble:A+B`` ids separated by commas), those not built skipped with the
    reason; then the ``custom`` models."""
    known = catalogue()
    built = {
        model_id for model_id, spec in known.items() if ModelFiles.of(spec, cache_dir).is_built(verify=False)
    }
    if requested.strip() == "all":
        wanted = list(known)
        if len(built) >= 2:
            wanted.append(ensemble_id([model_id for model_id in known if model_id in built]))
    else:
        wanted = [part.strip() for part in requested.split(",") if part.strip()]
    chosen: list[Candidate] = []
    skipped: list[SkippedModel] = []
    for model_id in wanted:
        try:
            members = ensemble_members(model_id) or (model_id,)
        except ValueError as error:
            skipped.append(SkippedModel(model_id=model_id, reason=str(error)))
            continue
        unknown = [m for m in members if m not in known]
        missing = [m for m in members if m in known and m not in built]
        if unknown:
            reason = f"not in the catalogue: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            skipped.append(SkippedModel(model_id=model_id, reason=reason))
        elif missing:
            command = " ".join(f"--model {m}" for m in missing)
            reason = f"not built: {', '.join(missing)} (run `gridwatch models build {command}`)"
            skipped.append(SkippedModel(model_id=model_id, reason=reason))
        else:
            chosen.append(Candidate(model_id))
    chosen.extend(Candidate(config.id, config) for config in custom)
    return chosen, skipped


def _runtime_label(backend: StagedBackend, kind: str) -> str:
    probe = backend.members[0] if isinstance(backend, EnsembleBackend) else backend
    if isinstance(probe, RescoredBackend):
        probe = probe.backend
    precision = getattr(probe, "precision", None)
    return f"{kind}-{precision}" if isinstance(precision, str) else kind


def open_candidate(
    candidate: Candidate,
    runtime: str = "auto",
    min_score: float = 0.05,
    *,
    cache_dir: Path | None = None,
    max_batch_size: int = 8,
    views: CameraDetection | None = None,
) -> OpenedModel:
    """Open ``candidate`` on ``runtime`` (auto, onnxruntime, openvino); with ``views``, it detects as the
    worker does on a camera whose zone is the whole image (zone tiles), else on each whole image."""
    choice = BackendChoice(
        model_id=candidate.model_id if candidate.custom is None else BackendChoice().model_id,
        custom=candidate.custom,
        runtime=runtime_options(runtime),
        cache_dir=cache_dir,
        max_batch_size=max_batch_size,
    )
    backend = open_backend(choice)
    threshold = operating_threshold(backend)
    low: StagedBackend
    if isinstance(backend, EnsembleBackend):
        low = backend.with_score_threshold(min(min_score, backend.score_threshold))
    elif threshold is not None:
        low = RescoredBackend(backend, min(min_score, threshold))
    else:
        low = backend
    return OpenedModel(
        model_id=backend.model_id,
        model_version=backend.model_version,
        runtime=_runtime_label(backend, resolved_kind(choice)),
        operating_threshold=threshold if threshold is not None else 0.0,
        detect=StreamedDetect(low) if views is None else ViewedDetect(low, views),
        deployed=StreamedDetect(backend) if views is None else ViewedDetect(backend, views),
    )
