"""Hand-made TF.js graph models and numpy reference implementations of their ops, for converter tests."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float32]


def s(text: str) -> dict[str, str]:
    """A base64 string attribute, as TF.js stores them."""
    return {"s": base64.b64encode(text.encode()).decode()}


def ints(*values: int) -> dict[str, dict[str, list[str]]]:
    """A list-of-ints attribute."""
    return {"list": {"i": [str(v) for v in values]}}


def strs(*values: str) -> dict[str, dict[str, list[str]]]:
    """A list-of-strings attribute."""
    return {"list": {"s": [base64.b64encode(v.encode()).decode() for v in values]}}


class GraphBuilder:
    """Collects nodes and weights and emits (model.json dict, weight bytes)."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.specs: list[dict[str, Any]] = []
        self.data = bytearray()

    def const(self, name: str, value: NDArray[Any], *, float16: bool = False) -> str:
        self.nodes.append({"name": name, "op": "Const", "attr": {}})
        spec: dict[str, Any] = {"name": name, "shape": list(value.shape)}
        if value.dtype == np.int32:
            spec["dtype"] = "int32"
            self.data += value.astype("<i4").tobytes()
        elif float16:
            spec["dtype"] = "float32"
            spec["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
            self.data += value.astype("<f2").tobytes()
        else:
            spec["dtype"] = "float32"
            self.data += value.astype("<f4").tobytes()
        self.specs.append(spec)
        return name

    def node(self, name: str, op: str, inputs: list[str], **attrs: Any) -> str:
        self.nodes.append({"name": name, "op": op, "input": inputs, "attr": attrs})
        return name

    def model(self, outputs: list[str]) -> tuple[dict[str, Any], bytes]:
        model = {
            "format": "graph-model",
            "generatedBy": "test",
            "convertedBy": "test",
            "signature": {"outputs": {o: {"name": o} for o in outputs}},
            "modelTopology": {"node": self.nodes, "library": {}, "versions": {}},
            "weightsManifest": [{"paths": ["weights.bin"], "weights": self.specs}],
        }
        return model, bytes(self.data)


# --- numpy references (NHWC, TF semantics) ---------------------------------------------------------------
def _same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv2d(x: Array, w: Array, stride: int, padding: str, *, depthwise: bool = False) -> Array:
    """TF Conv2D / DepthwiseConv2dNative (multiplier 1) on NHWC input with HWIO (or HWC1) weights."""
    kh, kw = w.shape[:2]
    if padding == "SAME":
        (top, bottom), (left, right) = _same_pads(x.shape[1], kh, stride), _same_pads(x.shape[2], kw, stride)
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    channels = w.shape[2] if depthwise else w.shape[3]
    y = np.zeros((x.shape[0], out_h, out_w, channels), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i : i + stride * out_h : stride, j : j + stride * out_w : stride, :]
            y += patch * w[i, j, :, 0] if depthwise else patch @ w[i, j]
    return y.astype(np.float32)


def resize_bilinear_asymmetric(x: Array, height: int, width: int) -> Array:
    """TF ResizeBilinear with align_corners=False, half_pixel_centers=False."""

    def axis_weights(out: int, size: int) -> tuple[NDArray[np.int64], NDArray[np.int64], Array]:
        source = np.arange(out) * (size / out)
        low = np.floor(source).astype(np.int64)
        high = np.minimum(low + 1, size - 1)
        return low, high, (source - low).astype(np.float32)

    y0, y1, fy = axis_weights(height, x.shape[1])
    x0, x1, fx = axis_weights(width, x.shape[2])
    rows = x[:, y0] * (1 - fy)[None, :, None, None] + x[:, y1] * fy[None, :, None, None]
    result = rows[:, :, x0] * (1 - fx)[None, None, :, None] + rows[:, :, x1] * fx[None, None, :, None]
    return result.astype(np.float32)


def max_pool_same(x: Array, size: int) -> Array:
    """TF MaxPool, stride 1, SAME padding."""
    before, after = _same_pads(x.shape[1], size, 1)
    padded = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)), constant_values=-np.inf)
    out = np.full_like(x, -np.inf)
    for i in range(size):
        for j in range(size):
            out = np.maximum(out, padded[:, i : i + x.shape[1], j : j + x.shape[2], :])
    return out
