"""A small, direct TF.js-graph → ONNX converter for convolutional detectors.

It converts the sub-graph needed for the requested outputs and supports the op set of mobile CNN detectors:
convolutions (plain, depthwise, with fused bias and activation), batch normalisation, element-wise arithmetic
(``Add``/``AddN``/``BiasAdd``/``Sub``/``Mul``/``RealDiv``/``Maximum``, ``Exp``), activations, mean, concat,
bilinear/nearest resize, pooling, ``Equal`` and ``Cast``, and the tensor plumbing of SSD heads and box
decoders: ``Shape``, ``Reshape``, ``Transpose``, ``Squeeze``/``ExpandDims``, ``Pack``/``Unpack``, ``Slice``,
``StridedSlice``, ``Split``/``SplitV``, ``Pad``/``PadV2`` and ``Tile``. Anything else raises
:class:`UnsupportedOpError` naming the node, so a new model fails loudly at build time, never silently.

TF graphs are NHWC; ONNX convolutions are NCHW. Rank-4 tensors that come from the image input are kept in
NCHW inside the ONNX graph (one transpose after the input), and constants, axes and weights are re-laid-out
to match. An op that depends on the memory order of its input (``Reshape``, ``Shape``, ``Transpose``,
``Pack``...) sees TF's NHWC: a ``Transpose`` back is inserted where needed (or, for ``Shape`` and
``Transpose``, the axes are permuted instead). Outputs keep TF's layout, so the ONNX model is a drop-in for
the TF.js one. The batch dimension is symbolic, so the ONNX model takes any batch size: shapes that TF
computes at run time (``Shape`` → ``StridedSlice`` → ``Pack`` → ``Reshape``) are computed at run time here
too.

TF ``int32`` tensors become ONNX ``int64`` ones (the type ONNX shape, axis and index inputs take), so shape
arithmetic needs no casts.

A graph whose preprocessing cannot be converted (e.g. COCO-SSD's ``tf.map_fn`` resize loop) is cut: a
:class:`GraphInput` names the TF tensor that becomes the ONNX input, and nothing above it is converted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from detectors.models.tfjs_graph import TfjsGraph, TfjsNode

if TYPE_CHECKING:  # onnx is a build-time dependency: imported lazily by convert_tfjs_graph
    import onnx

ONNX_OPSET = 18
ONNX_IR_VERSION = 9  # readable by onnxruntime >= 1.16

_NHWC_TO_NCHW = (0, 3, 1, 2)
_NCHW_TO_NHWC = (0, 2, 3, 1)
_NHWC_AXIS_IN_NCHW = {0: 0, 1: 2, 2: 3, 3: 1}
_BINARY_OPS = {
    "Add": "Add",
    "AddV2": "Add",
    "BiasAdd": "Add",
    "Sub": "Sub",
    "Mul": "Mul",
    "RealDiv": "Div",
    "Maximum": "Max",
}
_ACTIVATIONS = ("Relu", "Relu6", "LeakyRelu", "Sigmoid", "Elu", "Tanh")
_UNARY_OPS = {"Exp": "Exp"}
_CONVOLUTIONS = ("Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative")
_BATCH_NORMS = ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
_INT64_MAX = np.iinfo(np.int64).max
_INT64_MIN = np.iinfo(np.int64).min
_ONNX_FLOAT = 1
_ONNX_TYPES = {"DT_FLOAT": 1, "DT_INT32": 7, "DT_INT64": 7, "DT_BOOL": 9}  # int32 → int64, see above


class UnsupportedOpError(NotImplementedError):
    """The graph needs an op (or an op variant) this converter does not implement."""

    def __init__(self, node: TfjsNode, detail: str = "") -> None:
        suffix = f": {detail}" if detail else ""
        super().__init__(f"cannot convert node {node.name!r} (op {node.op}){suffix}")
        self.node = node


@dataclass(frozen=True, slots=True)
class GraphInput:
    """A TF tensor that becomes an ONNX input: the graph is cut there and what computes it is not converted.

    ``shape`` is the tensor's shape without the batch dimension, in TF's layout (``(300, 300, 3)`` for an
    NHWC image batch); the ONNX input gets the symbolic batch dimension in front. The input is float32.
    """

    tensor: str
    name: str
    shape: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Value:
    """A converted tensor: its ONNX name, and whether it is a TF NHWC rank-4 tensor stored as NCHW."""

    name: str
    nchw: bool


class _Converter:
    def __init__(self, graph: TfjsGraph, batch_dim: str | int, inputs: Sequence[GraphInput]) -> None:
        import onnx.helper  # build-time dependency, imported on use
        import onnx.numpy_helper

        self._helper = onnx.helper
        self._numpy_helper = onnx.numpy_helper
        self._graph = graph
        self._batch_dim = batch_dim
        self._outputs: dict[str, list[_Value]] = {}  # node name -> its converted outputs, in TF order
        self._cuts: dict[str, _Value] = {}  # canonical tensor name -> the ONNX input that replaces it
        self._nodes: list[onnx.NodeProto] = []
        self._initializers: list[onnx.TensorProto] = []
        self._inputs: list[onnx.ValueInfoProto] = []
        self._counter = 0
        for cut in inputs:
            graph.node(cut.tensor)  # fails naming the tensor when the graph has no such node
            self._cuts[self._canonical(cut.tensor)] = self._graph_input(cut.name, cut.shape)

    # --- helpers -------------------------------------------------------------------------------------------
    def _fresh(self, hint: str) -> str:
        self._counter += 1
        return f"{hint}__{self._counter}"

    def _emit(self, op: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        return self._emit_multi(op, inputs, hint, 1, **attrs)[0]

    def _emit_multi(self, op: str, inputs: list[str], hint: str, count: int, **attrs: Any) -> list[str]:
        name = self._fresh(hint)
        outputs = [name] if count == 1 else [f"{name}:{k}" for k in range(count)]
        self._nodes.append(self._helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs

    def _initializer(self, array: NDArray[Any], hint: str) -> str:
        name = self._fresh(hint)
        if array.dtype == np.int32:  # TF int32 is ONNX int64 here (see the module docstring)
            array = array.astype(np.int64)
        array = np.array(array, order="C")  # not ascontiguousarray: it makes scalars rank 1
        self._initializers.append(self._numpy_helper.from_array(array, name=name))
        return name

    def _ints(self, values: Sequence[int] | NDArray[Any], hint: str) -> str:
        return self._initializer(np.asarray(values, np.int64).reshape(-1), hint)

    def _constant(self, tensor: str) -> NDArray[Any] | None:
        if self._canonical(tensor) in self._cuts:
            return None
        node = self._graph.node(tensor)
        if node.op == "Const":
            return self._graph.constants.get(node.name)
        if node.op == "Identity":
            return self._constant(node.inputs[0])
        return None

    def _require_constant(self, node: TfjsNode, tensor: str) -> NDArray[Any]:
        value = self._constant(tensor)
        if value is None:
            raise UnsupportedOpError(node, f"input {tensor!r} must be a constant")
        return value

    def _graph_input(self, name: str, shape: Sequence[int | str]) -> _Value:
        """An ONNX float input with the batch dimension in front; rank-4 (images) are moved to NCHW."""
        dims: list[str | int] = [self._batch_dim, *shape]
        self._inputs.append(self._helper.make_tensor_value_info(name, _ONNX_FLOAT, dims))
        if len(dims) != 4:
            return _Value(name, nchw=False)
        return _Value(self._emit("Transpose", [name], "to_nchw", perm=list(_NHWC_TO_NCHW)), nchw=True)

    def _nhwc(self, value: _Value, hint: str) -> str:
        """``value`` in TF's own layout: NCHW-stored image tensors are transposed back to NHWC."""
        if not value.nchw:
            return value.name
        return self._emit("Transpose", [value.name], f"{hint}/nhwc", perm=list(_NCHW_TO_NHWC))

    def _input(self, node: TfjsNode, index: int = 0) -> _Value:
        return self._lookup(node.inputs[index])

    def _input_nhwc(self, node: TfjsNode, index: int = 0) -> str:
        return self._nhwc(self._input(node, index), node.name)

    # --- traversal -----------------------------------------------------------------------------------------
    @staticmethod
    def _canonical(tensor: str) -> str:
        return tensor[:-2] if tensor.endswith(":0") else tensor

    def _known(self, tensor: str) -> bool:
        return self._canonical(tensor) in self._cuts or tensor.split(":", 1)[0] in self._outputs

    def _lookup(self, tensor: str) -> _Value:
        canonical = self._canonical(tensor)
        if canonical in self._cuts:
            return self._cuts[canonical]
        name, _, index = canonical.partition(":")
        outputs = self._outputs[name]
        k = int(index or 0)
        if k >= len(outputs):
            node = self._graph.node(name)
            raise UnsupportedOpError(
                node, f"output {k} ({tensor!r}) is not converted, only outputs 0..{len(outputs) - 1}"
            )
        return outputs[k]

    def value(self, tensor: str) -> _Value:
        """The converted value for TF tensor ``tensor``, converting its producers first (iteratively)."""
        stack = [tensor]
        expanded: set[str] = set()
        while stack:
            current = stack[-1]
            if self._known(current):
                stack.pop()
                continue
            node = self._graph.node(current)
            pending = [i for i in self._data_inputs(node) if not self._known(i)]
            if pending:
                if node.name in expanded:  # its inputs were resolved below it before, unless it feeds itself
                    raise UnsupportedOpError(
                        node,
                        "it depends on itself (a TF while loop): cut the graph below it with a GraphInput",
                    )
                expanded.add(node.name)
                stack.extend(pending)
                continue
            stack.pop()
            self._outputs[node.name] = self._convert(node)
        return self._lookup(tensor)

    def _data_inputs(self, node: TfjsNode) -> list[str]:
        """Inputs converted as tensors (constant operands that become attributes are read directly)."""
        op = node.op
        if op in ("Const", "Placeholder"):
            return []
        if op == "ConcatV2":
            return list(node.inputs[:-1])
        if op in ("Reshape", "Tile"):
            return [i for k, i in enumerate(node.inputs) if k == 0 or self._constant(i) is None]
        if op == "Split":
            return [node.inputs[1]]
        if op in _BINARY_OPS or op == "Equal":
            return [i for i in node.inputs if self._constant(i) is None]
        if op in (
            "Mean", "Max", "Sum", "ResizeBilinear", "ResizeNearestNeighbor", *_CONVOLUTIONS, *_BATCH_NORMS,
            "Transpose", "ExpandDims", "Slice", "StridedSlice", "SplitV", "Pad", "PadV2",
        ):  # fmt: skip
            return [node.inputs[0]]
        return list(node.inputs)

    # --- op conversion -------------------------------------------------------------------------------------
    def _convert(self, node: TfjsNode) -> list[_Value]:
        op = node.op
        if op == "Placeholder":
            return [self._placeholder(node)]
        if op == "Const":
            array = self._require_constant(node, node.name)
            return [_Value(self._initializer(array, node.name), nchw=False)]
        if op == "Identity":
            return [self._input(node)]
        if op in ("Unpack", "Split", "SplitV"):
            return self._split(node)
        single = self._convert_single(node)
        if single is None:
            raise UnsupportedOpError(node)
        return [single]

    def _convert_single(self, node: TfjsNode) -> _Value | None:
        op = node.op
        if op in _CONVOLUTIONS:
            return self._conv(node)
        if op in _BATCH_NORMS:
            return self._batch_norm(node)
        if op in _BINARY_OPS or op == "Equal":
            return self._binary(node)
        if op in _ACTIVATIONS:
            source = self._input(node)
            return _Value(self._activation(op, source.name, node), source.nchw)
        if op in _UNARY_OPS:
            source = self._input(node)
            return _Value(self._emit(_UNARY_OPS[op], [source.name], node.name), source.nchw)
        simple = {
            "AddN": self._add_n,
            "Cast": self._cast,
            "Mean": self._mean,
            "ConcatV2": self._concat,
            "ResizeBilinear": self._resize,
            "ResizeNearestNeighbor": self._resize,
            "MaxPool": self._pool,
            "AvgPool": self._pool,
            "Shape": self._shape,
            "Reshape": self._reshape,
            "Transpose": self._transpose,
            "Squeeze": self._squeeze,
            "ExpandDims": self._expand_dims,
            "Pack": self._pack,
            "Slice": self._slice,
            "StridedSlice": self._strided_slice,
            "Pad": self._pad,
            "PadV2": self._pad,
            "Tile": self._tile,
        }
        handler = simple.get(op)
        return None if handler is None else handler(node)

    def _placeholder(self, node: TfjsNode) -> _Value:
        dims = [int(d.get("size", -1)) for d in node.attrs.get("shape", {}).get("shape", {}).get("dim", [])]
        if len(dims) != 4:
            raise UnsupportedOpError(node, "only rank-4 NHWC image inputs are supported")
        if node.attrs.get("dtype", {}).get("type", "DT_FLOAT") != "DT_FLOAT":
            raise UnsupportedOpError(node, "only float32 inputs are supported (cut the graph below its cast)")
        rest: list[str | int] = [d if d > 0 else f"dim{i}" for i, d in enumerate(dims[1:], start=1)]
        return self._graph_input(node.name, rest)

    def _conv(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        if not source.nchw:
            raise UnsupportedOpError(node, "convolution input is not an image tensor")
        if node.attr_str("data_format", "NHWC") != "NHWC":
            raise UnsupportedOpError(node, "only NHWC data_format is supported")
        kernel = self._require_constant(node, node.inputs[1]).astype(np.float32)
        depthwise = "Depthwise" in node.op
        if depthwise:
            height, width, channels, multiplier = kernel.shape
            weight = kernel.transpose(2, 3, 0, 1).reshape(channels * multiplier, 1, height, width)
            group = channels
        else:
            weight = kernel.transpose(3, 2, 0, 1)
            group = 1
        attrs: dict[str, Any] = {
            "strides": node.attr_ints("strides")[1:3] or [1, 1],
            "dilations": node.attr_ints("dilations")[1:3] or [1, 1],
            "kernel_shape": list(weight.shape[2:]),
            "group": group,
        }
        attrs.update(self._padding(node))
        inputs = [source.name, self._initializer(weight, f"{node.name}/weight")]
        fused = node.attr_strs("fused_ops") if node.op.startswith(("_Fused", "Fused")) else []
        if fused:
            if fused[0] != "BiasAdd" or node.attr_int("num_args", 1) != 1:
                raise UnsupportedOpError(node, f"fused ops {fused} (only BiasAdd[+activation])")
            bias = self._require_constant(node, node.inputs[2]).astype(np.float32).reshape(-1)
            inputs.append(self._initializer(bias, f"{node.name}/bias"))
        output = self._emit("Conv", inputs, node.name, **attrs)
        for activation in fused[1:]:
            output = self._activation(activation, output, node)
        return _Value(output, nchw=True)

    def _padding(self, node: TfjsNode) -> dict[str, Any]:
        padding = node.attr_str("padding", "VALID")
        if padding == "SAME":
            return {"auto_pad": "SAME_UPPER"}
        if padding == "VALID":
            return {"auto_pad": "VALID"}
        if padding == "EXPLICIT":
            explicit = node.attr_ints("explicit_paddings")  # NHWC pairs: [n0,n1,h0,h1,w0,w1,c0,c1]
            return {"pads": [explicit[2], explicit[4], explicit[3], explicit[5]]}
        raise UnsupportedOpError(node, f"padding {padding!r}")

    def _batch_norm(self, node: TfjsNode) -> _Value:
        """Inference-mode ``FusedBatchNorm``: ``(x - mean) / sqrt(var + eps) * scale + offset``."""
        source = self._input(node)
        if node.attr_bool("is_training"):
            raise UnsupportedOpError(node, "training-mode batch norm (batch statistics)")
        if node.attr_str("data_format", "NHWC") != "NHWC" or not source.nchw:
            raise UnsupportedOpError(node, "only NHWC image tensors are supported")
        scale, offset, mean, variance = (
            self._require_constant(node, t).astype(np.float32).reshape(-1) for t in node.inputs[1:5]
        )
        operands = [
            self._initializer(array, f"{node.name}/{part}")
            for part, array in (("scale", scale), ("offset", offset), ("mean", mean), ("variance", variance))
        ]
        epsilon = node.attr_float("epsilon", 1e-4)
        output = self._emit("BatchNormalization", [source.name, *operands], node.name, epsilon=epsilon)
        return _Value(output, nchw=True)

    def _activation(self, op: str, source: str, node: TfjsNode) -> str:
        if op == "Relu":
            return self._emit("Relu", [source], f"{node.name}/relu")
        if op == "Relu6":
            low = self._initializer(np.array(0.0, np.float32), "zero")
            high = self._initializer(np.array(6.0, np.float32), "six")
            return self._emit("Clip", [source, low, high], f"{node.name}/relu6")
        if op == "LeakyRelu":
            alpha = node.attr_float("alpha", 0.2)
            return self._emit("LeakyRelu", [source], f"{node.name}/leaky", alpha=alpha)
        if op in ("Sigmoid", "Elu", "Tanh"):
            return self._emit(op, [source], f"{node.name}/{op.lower()}")
        raise UnsupportedOpError(node, f"activation {op!r}")

    def _operand(self, tensor: str, nchw: bool, hint: str) -> str:
        """An ONNX name for one operand of an element-wise op, re-laid-out to NCHW when the other is."""
        if self._known(tensor):
            value = self._lookup(tensor)
            return value.name if value.nchw == nchw else self._nhwc(value, hint)
        array = self._constant(tensor)
        if array is None:  # pragma: no cover - guarded by _data_inputs
            raise KeyError(tensor)
        if nchw and array.ndim > 0:
            if array.ndim > 4:
                raise UnsupportedOpError(self._graph.node(tensor), "constant of rank > 4 next to an image")
            array = array.reshape((1,) * (4 - array.ndim) + array.shape).transpose(_NHWC_TO_NCHW)
        return self._initializer(array, hint)

    def _binary(self, node: TfjsNode) -> _Value:
        if node.op == "BiasAdd" and node.attr_str("data_format", "NHWC") != "NHWC":
            raise UnsupportedOpError(node, "only NHWC data_format is supported")
        tensors = [self._lookup(t) for t in node.inputs if self._known(t)]
        if not tensors:
            raise UnsupportedOpError(node, "both operands are constants")
        is_nchw = all(v.nchw for v in tensors)  # mixed layouts: the image tensor goes back to NHWC
        operands = [self._operand(t, is_nchw, f"{node.name}/const") for t in node.inputs]
        onnx_op = "Equal" if node.op == "Equal" else _BINARY_OPS[node.op]
        return _Value(self._emit(onnx_op, operands, node.name), is_nchw)

    def _add_n(self, node: TfjsNode) -> _Value:
        values = [self._lookup(t) for t in node.inputs]
        is_nchw = all(v.nchw for v in values)
        names = [v.name if v.nchw == is_nchw else self._nhwc(v, node.name) for v in values]
        return _Value(self._emit("Sum", names, node.name), is_nchw)

    def _cast(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        target = node.attrs.get("DstT", {}).get("type", "DT_FLOAT")
        if target not in _ONNX_TYPES:
            raise UnsupportedOpError(node, f"cast to {target}")
        return _Value(self._emit("Cast", [source.name], node.name, to=_ONNX_TYPES[target]), source.nchw)

    def _axes(self, node: TfjsNode, axes: NDArray[Any], nchw: bool) -> list[int]:
        result = []
        for axis in np.atleast_1d(axes).astype(int).tolist():
            normalised = axis % 4 if nchw else axis
            result.append(_NHWC_AXIS_IN_NCHW[normalised] if nchw else normalised)
        return result

    def _mean(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        axes = self._axes(node, self._require_constant(node, node.inputs[1]), source.nchw)
        keep = node.attr_bool("keep_dims")
        axes_name = self._ints(axes, f"{node.name}/axes")
        if keep or not source.nchw:
            output = self._emit("ReduceMean", [source.name, axes_name], node.name, keepdims=int(keep))
            return _Value(output, source.nchw)
        reduced = self._emit("ReduceMean", [source.name, axes_name], node.name, keepdims=1)
        nhwc = self._emit("Transpose", [reduced], f"{node.name}/nhwc", perm=list(_NCHW_TO_NHWC))
        tf_axes = np.atleast_1d(self._require_constant(node, node.inputs[1])).astype(np.int64) % 4
        squeeze_axes = self._ints(tf_axes, f"{node.name}/squeeze")
        return _Value(self._emit("Squeeze", [nhwc, squeeze_axes], f"{node.name}/squeeze"), nchw=False)

    def _concat(self, node: TfjsNode) -> _Value:
        sources = [self._lookup(t) for t in node.inputs[:-1]]
        is_nchw = all(v.nchw for v in sources)
        names = [v.name if v.nchw == is_nchw else self._nhwc(v, node.name) for v in sources]
        axis = int(self._require_constant(node, node.inputs[-1]))
        onnx_axis = self._axes(node, np.array(axis), is_nchw)[0]
        return _Value(self._emit("Concat", names, node.name, axis=onnx_axis), is_nchw)

    def _resize(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        if not source.nchw:
            raise UnsupportedOpError(node, "resize input is not an image tensor")
        size = self._require_constant(node, node.inputs[1]).astype(np.int64).reshape(2)
        align_corners = node.attr_bool("align_corners")
        half_pixel = node.attr_bool("half_pixel_centers")
        bilinear = node.op == "ResizeBilinear"
        if align_corners:
            transform = "align_corners"
        elif half_pixel:
            transform = "half_pixel" if bilinear else "tf_half_pixel_for_nn"
        else:
            transform = "asymmetric"
        attrs: dict[str, Any] = {
            "mode": "linear" if bilinear else "nearest",
            "coordinate_transformation_mode": transform,
            "axes": [2, 3],
        }
        if not bilinear:
            attrs["nearest_mode"] = "round_prefer_ceil" if align_corners else "floor"
        sizes = self._ints(size, f"{node.name}/sizes")
        return _Value(self._emit("Resize", [source.name, "", "", sizes], node.name, **attrs), nchw=True)

    def _pool(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        if not source.nchw:
            raise UnsupportedOpError(node, "pool input is not an image tensor")
        attrs: dict[str, Any] = {
            "kernel_shape": node.attr_ints("ksize")[1:3],
            "strides": node.attr_ints("strides")[1:3],
        }
        attrs.update(self._padding(node))
        onnx_op = "MaxPool" if node.op == "MaxPool" else "AveragePool"
        return _Value(self._emit(onnx_op, [source.name], node.name, **attrs), nchw=True)

    # --- shapes and tensor plumbing ------------------------------------------------------------------------
    def _shape(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        shape = self._emit("Shape", [source.name], node.name)
        if source.nchw:  # the NHWC shape TF reports, from the NCHW-stored tensor
            order = self._ints(_NCHW_TO_NHWC, f"{node.name}/order")  # stored axis of each TF axis
            shape = self._emit("Gather", [shape, order], f"{node.name}/nhwc", axis=0)
        return _Value(shape, nchw=False)

    def _int_operand(self, node: TfjsNode, index: int, hint: str) -> str:
        """An integer operand (shape, multiples) as ONNX int64: constant, or a tensor computed at run time."""
        array = self._constant(node.inputs[index])
        if array is None:
            return self._input(node, index).name
        return self._ints(array, f"{node.name}/{hint}")

    def _reshape(self, node: TfjsNode) -> _Value:
        shape = self._constant(node.inputs[1])
        if shape is not None and np.any(np.asarray(shape) == 0):
            raise UnsupportedOpError(
                node, "a zero in the target shape (ONNX reads 0 as 'keep this dimension')"
            )
        target = self._int_operand(node, 1, "shape")
        return _Value(self._emit("Reshape", [self._input_nhwc(node), target], node.name), nchw=False)

    def _transpose(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        perm = [int(p) for p in np.asarray(self._require_constant(node, node.inputs[1])).reshape(-1)]
        if source.nchw:  # TF's axis p of the NHWC tensor is axis _NHWC_AXIS_IN_NCHW[p] of the stored one
            perm = [_NHWC_AXIS_IN_NCHW[p % 4] for p in perm]
        return _Value(self._emit("Transpose", [source.name], node.name, perm=perm), nchw=False)

    def _squeeze(self, node: TfjsNode) -> _Value:
        axes = node.attr_ints("squeeze_dims") or node.attr_ints("axis")
        inputs = [self._input_nhwc(node)]
        if axes:
            inputs.append(self._ints(axes, f"{node.name}/axes"))
        return _Value(self._emit("Squeeze", inputs, node.name), nchw=False)

    def _expand_dims(self, node: TfjsNode) -> _Value:
        axis = self._ints(self._require_constant(node, node.inputs[1]), f"{node.name}/axis")
        return _Value(self._emit("Unsqueeze", [self._input_nhwc(node), axis], node.name), nchw=False)

    def _pack(self, node: TfjsNode) -> _Value:
        axis = node.attr_int("axis")
        axes = self._ints([axis], f"{node.name}/axis")
        parts = [
            self._emit("Unsqueeze", [self._input_nhwc(node, k), axes], f"{node.name}/part{k}")
            for k in range(len(node.inputs))
        ]
        return _Value(self._emit("Concat", parts, node.name, axis=axis), nchw=False)

    def _slice(self, node: TfjsNode) -> _Value:
        begin = [int(b) for b in np.asarray(self._require_constant(node, node.inputs[1])).reshape(-1)]
        size = [int(s) for s in np.asarray(self._require_constant(node, node.inputs[2])).reshape(-1)]
        ends = [_INT64_MAX if s == -1 else b + s for b, s in zip(begin, size, strict=True)]
        return self._slice_on(node, self._input(node), begin, ends, None)

    def _strided_slice(self, node: TfjsNode) -> _Value:
        if node.attr_int("ellipsis_mask") or node.attr_int("new_axis_mask"):
            raise UnsupportedOpError(node, "ellipsis_mask and new_axis_mask are not supported")
        begin, end, strides = (
            [int(v) for v in np.asarray(self._require_constant(node, t)).reshape(-1)]
            for t in node.inputs[1:4]
        )
        begin_mask, end_mask = node.attr_int("begin_mask"), node.attr_int("end_mask")
        shrink_mask = node.attr_int("shrink_axis_mask")
        starts: list[int] = []
        ends: list[int] = []
        steps: list[int] = []
        shrunk: list[int] = []
        for axis, (b, e, stride) in enumerate(zip(begin, end, strides, strict=True)):
            if stride == 0:
                raise UnsupportedOpError(node, "a zero stride")
            if shrink_mask >> axis & 1:  # take element b, drop the axis
                starts.append(b)
                ends.append(_INT64_MAX if b == -1 else b + 1)
                steps.append(1)
                shrunk.append(axis)
                continue
            forward = stride > 0
            starts.append((0 if forward else _INT64_MAX) if begin_mask >> axis & 1 else b)
            ends.append((_INT64_MAX if forward else _INT64_MIN) if end_mask >> axis & 1 else e)
            steps.append(stride)
        source = self._input(node)
        if shrunk and source.nchw:  # dropping an axis of an image tensor: do it in TF's layout
            source = _Value(self._nhwc(source, node.name), nchw=False)
        sliced = self._slice_on(node, source, starts, ends, steps)
        if not shrunk:
            return sliced
        axes = self._ints(shrunk, f"{node.name}/shrink")
        return _Value(self._emit("Squeeze", [sliced.name, axes], f"{node.name}/shrink"), nchw=False)

    def _slice_on(
        self, node: TfjsNode, source: _Value, starts: list[int], ends: list[int], steps: list[int] | None
    ) -> _Value:
        """TF axes 0..k-1 of ``source`` sliced by ``starts``/``ends``/``steps``; NCHW images stay NCHW."""
        axes = list(range(len(starts)))
        if source.nchw:
            axes = [_NHWC_AXIS_IN_NCHW[a] for a in axes]
        inputs = [
            source.name,
            self._ints(starts, f"{node.name}/starts"),
            self._ints(ends, f"{node.name}/ends"),
            self._ints(axes, f"{node.name}/axes"),
        ]
        if steps is not None:
            inputs.append(self._ints(steps, f"{node.name}/steps"))
        return _Value(self._emit("Slice", inputs, node.name), source.nchw)

    def _split(self, node: TfjsNode) -> list[_Value]:
        """``Unpack`` (squeezes the axis), ``Split`` (equal parts) and ``SplitV`` (sizes, one may be -1)."""
        if node.op == "Unpack":
            source = _Value(self._input_nhwc(node), nchw=False)
            axis = node.attr_int("axis")
            count = node.attr_int("num")
        else:
            data_index, axis_index = (1, 0) if node.op == "Split" else (0, 2)
            source = self._input(node, data_index)
            axis = int(self._require_constant(node, node.inputs[axis_index]))
            if source.nchw:
                axis = _NHWC_AXIS_IN_NCHW[axis % 4]
            count = node.attr_int("num_split")
        if node.op == "SplitV":
            sizes = [int(s) for s in np.asarray(self._require_constant(node, node.inputs[1])).reshape(-1)]
            return self._split_sizes(node, source, axis, sizes)
        parts = self._emit_multi("Split", [source.name], node.name, count, axis=axis, num_outputs=count)
        if node.op != "Unpack":
            return [_Value(part, source.nchw) for part in parts]
        axes = self._ints([axis], f"{node.name}/axis")
        return [
            _Value(self._emit("Squeeze", [part, axes], f"{node.name}/squeeze{k}"), nchw=False)
            for k, part in enumerate(parts)
        ]

    def _split_sizes(self, node: TfjsNode, source: _Value, axis: int, sizes: list[int]) -> list[_Value]:
        """SplitV as one Slice per part, so a -1 ("the rest") needs no static dimension."""
        if sizes.count(-1) > 1:
            raise UnsupportedOpError(node, "more than one -1 in size_splits")
        axes = self._ints([axis], f"{node.name}/axis")
        parts: list[_Value] = []
        for k, size in enumerate(sizes):
            after = sum(sizes[k + 1 :]) if -1 not in sizes[k + 1 :] else 0
            end_from_back = -after if after else _INT64_MAX
            if -1 in sizes[:k]:  # counted from the end: only what follows this part is known
                start = -sum(sizes[k:])
                end = end_from_back
            else:
                start = sum(sizes[:k])
                end = start + size if size != -1 else end_from_back
            inputs = [
                source.name,
                self._ints([start], f"{node.name}/start{k}"),
                self._ints([end], f"{node.name}/end{k}"),
                axes,
            ]
            parts.append(_Value(self._emit("Slice", inputs, f"{node.name}/part{k}"), source.nchw))
        return parts

    def _pad(self, node: TfjsNode) -> _Value:
        source = self._input(node)
        paddings = np.asarray(self._require_constant(node, node.inputs[1])).astype(np.int64).reshape(-1, 2)
        if source.nchw:
            paddings = paddings[list(_NHWC_TO_NCHW)]
        inputs = [
            source.name,
            self._ints(np.concatenate([paddings[:, 0], paddings[:, 1]]), f"{node.name}/pads"),
        ]
        if node.op == "PadV2":
            fill = np.asarray(self._require_constant(node, node.inputs[2])).astype(np.float32).reshape(())
            inputs.append(self._initializer(fill, f"{node.name}/value"))
        return _Value(self._emit("Pad", inputs, node.name, mode="constant"), source.nchw)

    def _tile(self, node: TfjsNode) -> _Value:
        multiples = self._int_operand(node, 1, "multiples")
        return _Value(self._emit("Tile", [self._input_nhwc(node), multiples], node.name), nchw=False)

    # --- model ---------------------------------------------------------------------------------------------
    def build(self, outputs: Mapping[str, str], doc: str) -> onnx.ModelProto:
        graph_outputs = []
        for tf_name, onnx_name in outputs.items():
            value = self.value(tf_name)
            if value.nchw:
                self._nodes.append(
                    self._helper.make_node(
                        "Transpose", [value.name], [onnx_name], name=onnx_name, perm=list(_NCHW_TO_NHWC)
                    )
                )
            else:
                identity = self._helper.make_node("Identity", [value.name], [onnx_name], name=onnx_name)
                self._nodes.append(identity)
            graph_outputs.append(self._helper.make_empty_tensor_value_info(onnx_name))
        graph = self._helper.make_graph(
            self._nodes, "converted", self._inputs, graph_outputs, initializer=self._initializers
        )
        model = self._helper.make_model(
            graph,
            opset_imports=[self._helper.make_opsetid("", ONNX_OPSET)],
            producer_name="gridwatch-tfjs-to-onnx",
            doc_string=doc,
        )
        model.ir_version = ONNX_IR_VERSION
        return model


def convert_tfjs_graph(
    graph: TfjsGraph,
    outputs: Mapping[str, str],
    *,
    inputs: Sequence[GraphInput] = (),
    batch_dim: str | int = "batch",
    doc: str = "",
) -> onnx.ModelProto:
    """Convert the part of ``graph`` that computes ``outputs`` (TF tensor name → ONNX output name).

    Without ``inputs`` the ONNX model's input is the TF placeholder, with its name and NHWC layout; each of
    ``inputs`` instead cuts the graph at a TF tensor that becomes an ONNX input. Inputs get ``batch_dim`` as
    their first dimension. Output types and shapes are filled in by ONNX shape inference, and the model is
    checked.
    """
    import onnx  # build-time dependency, imported on use

    converter = _Converter(graph, batch_dim, inputs)
    model = converter.build(outputs, doc)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    kept_outputs = {o.name for o in model.graph.output}
    for info in inferred.graph.value_info:
        if info.name in kept_outputs:
            for output in model.graph.output:
                if output.name == info.name:
                    output.CopyFrom(info)
    for output in model.graph.output:  # inference may lose the batch name across broadcasts: every output
        dims = output.type.tensor_type.shape.dim  # of an image model keeps the input's batch first
        if dims and not dims[0].HasField("dim_value"):
            if isinstance(batch_dim, str):
                dims[0].dim_param = batch_dim
            else:
                dims[0].dim_value = batch_dim
    onnx.checker.check_model(model, full_check=True)
    return model
