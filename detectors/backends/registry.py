"""The model runtimes Gridwatch can run a detector on, keyed by their configured ``kind``.

Each runtime is one module with its options model (a ``kind`` literal and its own fields) and a plugin
object (:class:`BackendPlugin`): whether it can run here, and how it opens a model. Registering one is a line
in :data:`BACKENDS` and a member of :data:`RuntimeOptions`. Runtimes import their library only when opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from detectors.backends.base import StagedBackend
from detectors.backends.onnx_runtime import ONNX_RUNTIME, OnnxRuntimeOptions
from detectors.backends.openvino_runtime import OPENVINO, OpenVinoOptions
from detectors.backends.selection import ModelSelection
from detectors.backends.ultralytics_pt import ULTRALYTICS, UltralyticsOptions


class AutoOptions(BaseModel):
    """Let Gridwatch choose: ultralytics for a ``.pt`` file, else the first runtime of :data:`AUTO_ORDER` that
    this machine has (OpenVINO, then ONNX Runtime), with that runtime's default options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["auto"] = Field(default="auto", description="Runtime kind: auto.")


#: A runtime with its options (what ``auto`` resolves to).
ConcreteRuntime = OnnxRuntimeOptions | OpenVinoOptions | UltralyticsOptions

#: The runtime a detector worker uses, chosen by ``kind``.
RuntimeOptions = Annotated[
    AutoOptions | OnnxRuntimeOptions | OpenVinoOptions | UltralyticsOptions, Field(discriminator="kind")
]


class BackendPlugin(Protocol):
    """One runtime: its options type, whether this machine has it, and how it opens a model."""

    @property
    def kind(self) -> str: ...

    @property
    def options_type(self) -> type[BaseModel]: ...

    def available(self) -> bool: ...

    def open(self, selection: ModelSelection, options: Any) -> StagedBackend: ...


#: The registration table: one entry per runtime.
BACKENDS: Mapping[str, BackendPlugin] = {
    plugin.kind: plugin for plugin in (ONNX_RUNTIME, OPENVINO, ULTRALYTICS)
}

#: Runtimes ``auto`` tries for ONNX and IR models, best first (OpenVINO ran the default model ~1.7x faster
#: than ONNX Runtime here, in bf16 on AMX; ``gridwatch bench detect`` measures both).
AUTO_ORDER: tuple[str, ...] = ("openvino", "onnxruntime")


def plugin_for(kind: str) -> BackendPlugin:
    """The registered runtime ``kind``; LookupError naming the registered kinds otherwise."""
    plugin = BACKENDS.get(kind)
    if plugin is None:
        raise LookupError(f"no runtime registered as {kind!r} (registered: {', '.join(sorted(BACKENDS))})")
    return plugin


_RUNTIME = TypeAdapter(RuntimeOptions)


def runtime_options(kind: str, **values: Any) -> AutoOptions | ConcreteRuntime:
    """The options of runtime ``kind`` with ``values`` (validated; errors name the field and the kind)."""
    validated: AutoOptions | ConcreteRuntime = _RUNTIME.validate_python({"kind": kind, **values})
    return validated
