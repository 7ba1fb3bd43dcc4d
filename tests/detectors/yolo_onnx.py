"""YOLO-layout ONNX test models built with the ``onnx`` package (ultralytics' export form, fixed outputs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

NAMES = ("person", "ebike", "stall")
SIZE = 64


def anchors_output(
    rows: list[tuple[float, float, float, float, int, float]], anchors: int = 40
) -> NDArray[np.float32]:
    """A (4 + classes, anchors) output: rows of (cx, cy, w, h, class, score), the rest empty."""
    output = np.zeros((4 + len(NAMES), anchors), np.float32)
    for index, (cx, cy, w, h, class_id, score) in enumerate(rows):
        output[:4, index] = (cx, cy, w, h)
        output[4 + class_id, index] = score
    return output


def yolo_onnx(path: Path, constant: NDArray[np.float32]) -> Path:
    """A model whose output is ``constant`` (1, ., .) for every image of the batch, in YOLO export form."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    images = helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])
    output = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", *constant.shape[1:]])
    nodes = [
        helper.make_node("ReduceSum", ["images", "axes"], ["total"], keepdims=1),  # (N, 1, 1, 1)
        helper.make_node("Reshape", ["total", "shape"], ["per_image"]),  # (N, 1, 1)
        helper.make_node("Mul", ["per_image", "zero"], ["nothing"]),
        helper.make_node("Add", ["nothing", "boxes"], ["output0"]),  # broadcast to (N, ., .)
    ]
    initializers = [
        numpy_helper.from_array(np.array([1, 2, 3], np.int64), "axes"),
        numpy_helper.from_array(np.array([-1, 1, 1], np.int64), "shape"),
        numpy_helper.from_array(np.zeros(1, np.float32), "zero"),
        numpy_helper.from_array(constant.astype(np.float32), "boxes"),
    ]
    graph = helper.make_graph(nodes, "yolo-layout", [images], [output], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    names = "{" + ", ".join(f"{i}: '{n}'" for i, n in enumerate(NAMES)) + "}"
    helper.set_model_props(model, {"names": names, "imgsz": f"[{SIZE}, {SIZE}]", "task": "detect"})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
