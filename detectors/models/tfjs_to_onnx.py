"""A small, direct TF.js-graph → ONNX converter for convolutional detectors.

It converts the sub-graph needed for the requested outputs and supports the op set of mobile CNNs:
convolutions (plain, depthwise, with fused bias and activation), element-wise arithmetic, activations,
mean, concat, bilinear/nearest resize, pooling, ``Equal`` and ``Cast``. Anything else raises
:class:`UnsupportedOpError` naming the node, so a new model fails loudly at build time, never silently.

TF graphs are NHWC; ONNX convolutions are NCHW. Rank-4 tensors that come from the image input are kept in
NCHW inside the ONNX graph (one transpose after the input, one before each rank-4 output), and constants,
axes and weights are re-laid-out to match. Outputs keep TF's NHWC layout, so the ONNX model is a drop-in
for the TF.js one. The batch dimension is symbolic, so the ONNX model takes any batch size.
"""

from __future__ import annotations

from collections.abc import Mapping
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
_BINARY_OPS = {"Add": "Add", "AddV2": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div", "Maximum": "Max"}
_ACTIVATIONS = ("Relu", "Relu6", "LeakyRelu", "Sigmoid", "Elu", "Tanh")


class UnsupportedOpError(NotImplementedError):
    """The graph needs an op (or an op variant) this converter does not implement."""

    def __init__(self, node: TfjsNode, detail: str = "") -> None:
        suffix = f": {detail}" if detail else ""
        super().__init__(f"cannot convert node {node.name!r} (op {node.op}){suffix}")
        self.node = node


@dataclass(frozen=True, slots=True)
class _Value:
    """A converted tensor: its ONNX name, and whether it is a TF NHWC rank-4 tensor stored as NCHW."""

    name: str
    nchw: bool


class _Converter:
    def __init__(self, graph: TfjsGraph, batch_dim: str | int) -> None:
        import onnx.helper  # build-time dependency, imported on use

        self._helper = onnx.helper
        self._numpy_helper = __import__("onnx.numpy_helper", fromlist=["from_array"])
        self._graph = graph
        self._batch_dim = batch_dim
        self._values: dict[str, _Value] = {}
        self._nodes: list[onnx.NodeProto] = []
        self._initializers: list[onnx.TensorProto] = []
        self._inputs: list[onnx.ValueInfoProto] = []
        self._counter = 0

    # --- helpers -------------------------------------------------------------------------------------------
    def _fresh(self, hint: str) -> str:
        self._counter += 1
        return f"{hint}__{self._counter}"

    def _emit(self, op: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        output = self._fresh(hint)
        self._nodes.append(self._helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def _initializer(self, array: NDArray[Any], hint: str) -> str:
        name = self._fresh(hint)
        self._initializers.append(self._numpy_helper.from_array(np.ascontiguousarray(array), name=name))
        return name

    def _constant(self, tensor: str) -> NDArray[Any] | None:
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

    # --- traversal -----------------------------------------------------------------------------------------
    def value(self, tensor: str) -> _Value:
        """The converted value for TF tensor ``tensor``, converting its producers first (iteratively)."""
        stack = [tensor]
        while stack:
            current = stack[-1]
            key = self._key(current)
            if key in self._values:
                stack.pop()
                continue
            node = self._graph.node(current)
            pending = [i for i in self._data_inputs(node) if self._key(i) not in self._values]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            self._values[key] = self._convert(node, current)
        return self._values[self._key(tensor)]

    @staticmethod
    def _key(tensor: str) -> str:
        return tensor[:-2] if tensor.endswith(":0") else tensor

    def _data_inputs(self, node: TfjsNode) -> list[str]:
        """Inputs converted as tensors (constant operands that become attributes are read directly)."""
        if node.op in ("Const", "Placeholder"):
            return []
        if node.op in ("Mean", "Max", "Sum"):
            return [node.inputs[0]]
        if node.op in ("ConcatV2",):
            return list(node.inputs[:-1])
        if node.op in ("ResizeBilinear", "ResizeNearestNeighbor"):
            return [node.inputs[0]]
        if node.op in ("Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
            return [node.inputs[0]]
        if node.op in _BINARY_OPS or node.op == "Equal":
            return [i for i in node.inputs if self._constant(i) is None]
        return list(node.inputs)

    # --- op conversion -------------------------------------------------------------------------------------
    def _convert(self, node: TfjsNode, tensor: str) -> _Value:
        if ":" in tensor and not tensor.endswith(":0"):
            raise UnsupportedOpError(node, f"only the first output is supported, not {tensor!r}")
        op = node.op
        if op == "Placeholder":
            return self._placeholder(node)
        if op == "Const":
            array = self._require_constant(node, node.name)
            return _Value(self._initializer(array, node.name), nchw=False)
        if op == "Identity":
            return self._values[self._key(node.inputs[0])]
        if op in ("Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
            return self._conv(node)
        if op in _BINARY_OPS or op == "Equal":
            return self._binary(node)
        if op in _ACTIVATIONS:
            source = self._values[self._key(node.inputs[0])]
            return _Value(self._activation(op, source.name, node), source.nchw)
        if op == "Cast":
            return self._cast(node)
        if op == "Mean":
            return self._mean(node)
        if op == "ConcatV2":
            return self._concat(node)
        if op in ("ResizeBilinear", "ResizeNearestNeighbor"):
            return self._resize(node)
        if op in ("MaxPool", "AvgPool"):
            return self._pool(node)
        raise UnsupportedOpError(node)

    def _placeholder(self, node: TfjsNode) -> _Value:
        dims = [int(d.get("size", -1)) for d in node.attrs.get("shape", {}).get("shape", {}).get("dim", [])]
        if len(dims) != 4:
            raise UnsupportedOpError(node, "only rank-4 NHWC image inputs are supported")
        rest: list[str | int] = [d if d > 0 else f"dim{i}" for i, d in enumerate(dims[1:], start=1)]
        shape: list[str | int] = [self._batch_dim, *rest]
        onnx_input = self._helper.make_tensor_value_info(node.name, 1, shape)  # 1 = FLOAT
        self._inputs.append(onnx_input)
        transposed = self._emit("Transpose", [node.name], "to_nchw", perm=list(_NHWC_TO_NCHW))
        return _Value(transposed, nchw=True)

    def _conv(self, node: TfjsNode) -> _Value:
        source = self._values[self._key(node.inputs[0])]
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
        if self._key(tensor) in self._values:
            value = self._values[self._key(tensor)]
            return value.name
        array = self._constant(tensor)
        if array is None:  # pragma: no cover - guarded by _data_inputs
            raise KeyError(tensor)
        if nchw and array.ndim > 0:
            if array.ndim > 4:
                raise UnsupportedOpError(self._graph.node(tensor), "constant of rank > 4 next to an image")
            array = array.reshape((1,) * (4 - array.ndim) + array.shape).transpose(_NHWC_TO_NCHW)
        return self._initializer(array, hint)

    def _binary(self, node: TfjsNode) -> _Value:
        tensors = [self._values[self._key(t)] for t in node.inputs if self._key(t) in self._values]
        if not tensors:
            raise UnsupportedOpError(node, "both operands are constants")
        nchw = {v.nchw for v in tensors}
        if len(nchw) != 1:
            raise UnsupportedOpError(node, "operands with mixed layouts")
        is_nchw = nchw.pop()
        operands = [self._operand(t, is_nchw, f"{node.name}/const") for t in node.inputs]
        onnx_op = "Equal" if node.op == "Equal" else _BINARY_OPS[node.op]
        return _Value(self._emit(onnx_op, operands, node.name), is_nchw)

    def _cast(self, node: TfjsNode) -> _Value:
        source = self._values[self._key(node.inputs[0])]
        target = node.attrs.get("DstT", {}).get("type", "DT_FLOAT")
        onnx_types = {"DT_FLOAT": 1, "DT_INT32": 6, "DT_INT64": 7, "DT_BOOL": 9}
        if target not in onnx_types:
            raise UnsupportedOpError(node, f"cast to {target}")
        return _Value(self._emit("Cast", [source.name], node.name, to=onnx_types[target]), source.nchw)

    def _axes(self, node: TfjsNode, axes: NDArray[Any], nchw: bool) -> list[int]:
        result = []
        for axis in np.atleast_1d(axes).astype(int).tolist():
            normalised = axis % 4 if nchw else axis
            result.append(_NHWC_AXIS_IN_NCHW[normalised] if nchw else normalised)
        return result

    def _mean(self, node: TfjsNode) -> _Value:
        source = self._values[self._key(node.inputs[0])]
        axes = self._axes(node, self._require_constant(node, node.inputs[1]), source.nchw)
        keep = node.attr_bool("keep_dims")
        axes_name = self._initializer(np.array(axes, np.int64), f"{node.name}/axes")
        if keep or not source.nchw:
            output = self._emit("ReduceMean", [source.name, axes_name], node.name, keepdims=int(keep))
            return _Value(output, source.nchw)
        reduced = self._emit("ReduceMean", [source.name, axes_name], node.name, keepdims=1)
        nhwc = self._emit("Transpose", [reduced], f"{node.name}/nhwc", perm=list(_NCHW_TO_NHWC))
        tf_axes = np.atleast_1d(self._require_constant(node, node.inputs[1])).astype(np.int64) % 4
        squeeze_axes = self._initializer(tf_axes, f"{node.name}/squeeze")
        return _Value(self._emit("Squeeze", [nhwc, squeeze_axes], f"{node.name}/squeeze"), nchw=False)

    def _concat(self, node: TfjsNode) -> _Value:
        sources = [self._values[self._key(t)] for t in node.inputs[:-1]]
        nchw = {v.nchw for v in sources}
        if len(nchw) != 1:
            raise UnsupportedOpError(node, "concat of mixed layouts")
        is_nchw = nchw.pop()
        axis = int(self._require_constant(node, node.inputs[-1]))
        onnx_axis = self._axes(node, np.array(axis), is_nchw)[0]
        return _Value(self._emit("Concat", [v.name for v in sources], node.name, axis=onnx_axis), is_nchw)

    def _resize(self, node: TfjsNode) -> _Value:
        source = self._values[self._key(node.inputs[0])]
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
        sizes = self._initializer(size, f"{node.name}/sizes")
        return _Value(self._emit("Resize", [source.name, "", "", sizes], node.name, **attrs), nchw=True)

    def _pool(self, node: TfjsNode) -> _Value:
        source = self._values[self._key(node.inputs[0])]
        if not source.nchw:
            raise UnsupportedOpError(node, "pool input is not an image tensor")
        attrs: dict[str, Any] = {
            "kernel_shape": node.attr_ints("ksize")[1:3],
            "strides": node.attr_ints("strides")[1:3],
        }
        attrs.update(self._padding(node))
        onnx_op = "MaxPool" if node.op == "MaxPool" else "AveragePool"
        return _Value(self._emit(onnx_op, [source.name], node.name, **attrs), nchw=True)

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
    batch_dim: str | int = "batch",
    doc: str = "",
) -> onnx.ModelProto:
    """Convert the part of ``graph`` that computes ``outputs`` (TF tensor name → ONNX output name).

    The ONNX model's input keeps the TF placeholder's name and NHWC layout, with ``batch_dim`` as its first
    dimension. Output types and shapes are filled in by ONNX shape inference, and the model is checked.
    """
    import onnx  # build-time dependency, imported on use

    converter = _Converter(graph, batch_dim)
    model = converter.build(outputs, doc)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
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
