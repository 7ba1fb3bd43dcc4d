"""Choosing and opening a backend: a model (:class:`ModelSelection`) on a runtime picked by its ``kind``.

``auto`` (the default) runs a ``.pt`` file with ultralytics and anything else on the first runtime of
:data:`~detectors.backends.registry.AUTO_ORDER` this machine has: OpenVINO (a dependency of Gridwatch, so
normally it), else ONNX Runtime. On this project's reference CPU (2 cores with AMX) OpenVINO in bf16 ran the
default model about 1.7x faster than ONNX Runtime in f32 and kept every detection scoring 0.3 or more
(``gridwatch bench detect`` measures both in the same run).
"""

from __future__ import annotations

from typing import cast

from pydantic import Field

from detectors.backends.base import StagedBackend
from detectors.backends.ensemble import ensemble_members, open_ensemble
from detectors.backends.onnx_runtime import OnnxRuntimeOptions
from detectors.backends.registry import AUTO_ORDER, AutoOptions, ConcreteRuntime, RuntimeOptions, plugin_for
from detectors.backends.selection import ModelSelection
from detectors.backends.ultralytics_pt import UltralyticsOptions

__all__ = ["BackendChoice", "ModelSelection", "open_backend", "resolved_kind", "resolved_runtime"]


class BackendChoice(ModelSelection):
    """The model and the runtime a worker uses."""

    runtime: RuntimeOptions = Field(
        default_factory=AutoOptions,
        description="The runtime and its options, chosen by `kind`: auto, onnxruntime, openvino or "
        "ultralytics.",
    )


def resolved_runtime(choice: BackendChoice) -> ConcreteRuntime:
    """The runtime options ``choice`` runs with: ``auto`` becomes a concrete runtime with its defaults."""
    runtime = choice.runtime
    if not isinstance(runtime, AutoOptions):
        return runtime
    if choice.custom is not None and choice.custom.path.suffix.lower() == ".pt":
        return UltralyticsOptions()
    for kind in AUTO_ORDER:
        plugin = plugin_for(kind)
        if plugin.available():
            return cast(ConcreteRuntime, plugin.options_type())
    return OnnxRuntimeOptions()


def resolved_kind(choice: BackendChoice) -> str:
    """The kind of runtime ``choice`` runs on (``auto`` resolved)."""
    return resolved_runtime(choice).kind


def open_backend(choice: BackendChoice) -> StagedBackend:
    """Load the chosen model on the chosen runtime (imports only that runtime); an ensemble id
    (``ensemble:A+B``, :mod:`detectors.backends.ensemble`) opens each member so and fuses them."""
    if choice.custom is None and ensemble_members(choice.model_id) is not None:
        return open_ensemble(choice, open_backend)
    runtime = resolved_runtime(choice)
    selection = ModelSelection(**{name: getattr(choice, name) for name in ModelSelection.model_fields})
    return plugin_for(runtime.kind).open(selection, runtime)
