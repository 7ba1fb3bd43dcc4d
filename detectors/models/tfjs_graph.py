"""Reading a TensorFlow.js graph model (``model.json`` + weight shards) into plain Python and numpy values.

Only what a converter needs: the nodes (name, op, inputs, attributes) and the constant tensors of the weights
manifest, dequantised to their original dtype. Nothing here depends on TensorFlow.

Two generations of ``model.json`` are read:

- the current one (``"format": "graph-model"``): string attributes are base64, dtypes are enum names
  (``"DT_FLOAT"``);
- the older one (early tfjs-converter releases, e.g. the COCO-SSD graphs of ``@tensorflow-models/coco-ssd``):
  no ``format`` or ``signature`` keys, and the attributes are the protobuf JSON of those converters: strings
  as lists of byte values (``{"s": [83, 65, 77, 69]}`` for ``SAME``), dtypes as enum numbers
  (``{"type": 1}``). Their attributes are normalised to the current form when read, so the converter sees
  one form.

The weights manifest and its shards have the same layout in both.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

_PLAIN_DTYPES: dict[str, type[np.generic]] = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
}
# TensorFlow's DataType enum (tensorflow/core/framework/types.proto), for the older model.json form
_TF_DTYPE_NAMES: dict[int, str] = {
    1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16", 6: "DT_INT8",
    7: "DT_STRING", 9: "DT_INT64", 10: "DT_BOOL", 19: "DT_HALF", 20: "DT_RESOURCE",
}  # fmt: skip
_QUANTISED_DTYPES: dict[str, type[np.generic]] = {
    "float16": np.float16,
    "uint8": np.uint8,
    "uint16": np.uint16,
}


class TfjsGraphError(ValueError):
    """The graph model file is malformed or uses something this reader does not support."""


@dataclass(frozen=True, slots=True)
class TfjsNode:
    """One node of the graph: its op, its data inputs (``name`` or ``name:k``) and its raw attributes."""

    name: str
    op: str
    inputs: tuple[str, ...]
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def attr_ints(self, key: str) -> list[int]:
        """A list-of-ints attribute (strides, ksize, dilations), or an empty list."""
        raw = self.attrs.get(key, {}).get("list", {}).get("i", [])
        return [int(v) for v in raw]

    def attr_strs(self, key: str) -> list[str]:
        """A list-of-strings attribute (``fused_ops``), decoded from base64."""
        raw = self.attrs.get(key, {}).get("list", {}).get("s", [])
        return [base64.b64decode(v).decode() for v in raw]

    def attr_str(self, key: str, default: str = "") -> str:
        """A string attribute (``padding``, ``data_format``), decoded from base64."""
        raw = self.attrs.get(key, {}).get("s")
        return default if raw is None else base64.b64decode(raw).decode()

    def attr_bool(self, key: str, default: bool = False) -> bool:
        """A boolean attribute (``align_corners``, ``keep_dims``)."""
        return bool(self.attrs.get(key, {}).get("b", default))

    def attr_float(self, key: str, default: float = 0.0) -> float:
        """A float attribute (``alpha``, ``epsilon``)."""
        return float(self.attrs.get(key, {}).get("f", default))

    def attr_int(self, key: str, default: int = 0) -> int:
        """An int attribute (``num_args``)."""
        return int(self.attrs.get(key, {}).get("i", default))


@dataclass(frozen=True, slots=True)
class TfjsGraph:
    """A loaded TF.js graph model: nodes in file order, constants by name, the signature's tensor names."""

    nodes: Mapping[str, TfjsNode]
    constants: Mapping[str, NDArray[Any]]
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    metadata: Mapping[str, str]

    def node(self, name: str) -> TfjsNode:
        """The node that produces tensor ``name`` (``name:k`` refers to output k of that node)."""
        base = name.split(":", 1)[0]
        try:
            return self.nodes[base]
        except KeyError as error:
            raise TfjsGraphError(f"the graph has no node named {base!r}") from error


def parse_tfjs_graph(model: Mapping[str, Any], weight_data: bytes) -> TfjsGraph:
    """Build a :class:`TfjsGraph` from the parsed ``model.json`` and the concatenated weight shards."""
    topology = model.get("modelTopology")
    older = "format" not in model  # early tfjs-converter releases wrote no format key
    if (not older and model["format"] != "graph-model") or not isinstance(topology, Mapping):
        raise TfjsGraphError(f"not a TF.js graph model (format={model.get('format')!r})")
    if "node" not in topology:
        raise TfjsGraphError("not a TF.js graph model (its modelTopology has no nodes)")
    if topology.get("library", {}).get("function"):
        raise TfjsGraphError("graph models with functions (control flow) are not supported")
    nodes: dict[str, TfjsNode] = {}
    for raw in topology["node"]:
        inputs = tuple(str(i) for i in raw.get("input", []) if not str(i).startswith("^"))
        name = str(raw["name"])
        attrs = raw.get("attr", {})
        if older:
            attrs = {key: _normalise_attr(value) for key, value in attrs.items()}
        nodes[name] = TfjsNode(name=name, op=str(raw["op"]), inputs=inputs, attrs=attrs)
    specs = [spec for group in model["weightsManifest"] for spec in group["weights"]]
    constants = _read_weights(specs, weight_data)
    signature = model.get("signature", {})
    input_names = tuple(signature.get("inputs", {}).keys()) or tuple(
        n.name for n in nodes.values() if n.op == "Placeholder"
    )
    output_names = tuple(signature.get("outputs", {}).keys())
    metadata = {k: str(v) for k, v in model.items() if isinstance(v, str)}
    return TfjsGraph(
        nodes=nodes,
        constants=constants,
        input_names=input_names,
        output_names=output_names,
        metadata=metadata,
    )


def load_tfjs_graph(model_json: Path) -> TfjsGraph:
    """Load ``model_json`` and the weight shards its manifest names (paths relative to the JSON file)."""
    model = json.loads(model_json.read_text(encoding="utf-8"))
    shards = [path for group in model["weightsManifest"] for path in group["paths"]]
    weight_data = b"".join((model_json.parent / shard).read_bytes() for shard in shards)
    return parse_tfjs_graph(model, weight_data)


def _normalise_attr(value: Any) -> Any:
    """One attribute of the older model.json form in the current form (base64 strings, dtype names)."""
    if not isinstance(value, Mapping):
        return value
    result = dict(value)
    if isinstance(result.get("s"), list):
        result["s"] = _base64_of_bytes(result["s"])
    if isinstance(result.get("type"), int):
        result["type"] = _dtype_name(result["type"])
    listed = result.get("list")
    if isinstance(listed, Mapping):
        listed = dict(listed)
        listed["s"] = [_base64_of_bytes(v) if isinstance(v, list) else v for v in listed.get("s", [])]
        listed["type"] = [_dtype_name(v) if isinstance(v, int) else v for v in listed.get("type", [])]
        result["list"] = listed
    return result


def _base64_of_bytes(values: list[Any]) -> str:
    return base64.b64encode(bytes(int(v) for v in values)).decode()


def _dtype_name(number: int) -> str:
    return _TF_DTYPE_NAMES.get(number, f"DT_ENUM_{number}")


def _read_weights(specs: list[Mapping[str, Any]], data: bytes) -> dict[str, NDArray[Any]]:
    constants: dict[str, NDArray[Any]] = {}
    offset = 0
    for spec in specs:
        shape = [int(d) for d in spec["shape"]]
        count = int(np.prod(shape)) if shape else 1
        dtype_name = str(spec["dtype"])
        quantization = spec.get("quantization")
        if dtype_name not in _PLAIN_DTYPES:
            raise TfjsGraphError(f"weight {spec['name']!r} has unsupported dtype {dtype_name!r}")
        if quantization is None:
            stored: type[np.generic] = _PLAIN_DTYPES[dtype_name]
        else:
            stored_name = str(quantization["dtype"])
            if stored_name not in _QUANTISED_DTYPES:
                raise TfjsGraphError(f"weight {spec['name']!r} has unsupported quantisation {stored_name!r}")
            stored = _QUANTISED_DTYPES[stored_name]
        raw = np.frombuffer(data, dtype=stored, count=count, offset=offset)
        offset += raw.nbytes
        value: NDArray[Any]
        if quantization is None:
            value = raw.copy()
        elif quantization["dtype"] == "float16":
            value = raw.astype(np.float32)
        else:
            scale = float(quantization["scale"])
            minimum = float(quantization["min"])
            value = (raw.astype(np.float32) * scale + minimum).astype(_PLAIN_DTYPES[dtype_name])
        constants[str(spec["name"])] = value.reshape(shape)
    if offset != len(data):
        raise TfjsGraphError(f"weights manifest describes {offset} bytes but the shards hold {len(data)}")
    return constants
