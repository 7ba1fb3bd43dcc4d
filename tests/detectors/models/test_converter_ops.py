"""Each op the converter gained for COCO-SSD, on small tensors, against numpy doing what TF does.

Every graph runs at batch 2 through ONNX Runtime, on an image input (NHWC in TF, stored NCHW inside the
ONNX graph) and, where the op also appears on plain tensors, on a non-image input cut into the graph with a
:class:`GraphInput`.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from detectors.models.tfjs_graph import TfjsGraphError, parse_tfjs_graph
from detectors.models.tfjs_to_onnx import GraphInput, UnsupportedOpError, convert_tfjs_graph
from tests.detectors.tfjs_fixtures import GraphBuilder, conv2d, ints, s

RNG = np.random.default_rng(5)
BATCH = 2
IMAGE_HWC = (4, 5, 6)


def _graph(image_hwc: tuple[int, int, int] = IMAGE_HWC) -> GraphBuilder:
    g = GraphBuilder()
    dims = [{"size": "-1"}, *({"size": str(d)} for d in image_hwc)]
    g.nodes.append({"name": "image", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": dims}}}})
    g.nodes.append({"name": "plain", "op": "Placeholder", "attr": {}})  # only ever a cut input
    return g


def _run(
    g: GraphBuilder,
    outputs: list[str],
    feeds: dict[str, np.ndarray],
    plain_shape: tuple[int, ...] | None = None,
) -> list[np.ndarray]:
    model, data = g.model(outputs)
    graph = parse_tfjs_graph(model, data)
    cuts = [] if plain_shape is None else [GraphInput("plain", "plain", plain_shape)]
    converted = convert_tfjs_graph(graph, {o: f"out{k}" for k, o in enumerate(outputs)}, inputs=cuts)
    session = ort.InferenceSession(converted.SerializeToString(), providers=["CPUExecutionProvider"])
    result: list[np.ndarray] = session.run([f"out{k}" for k in range(len(outputs))], feeds)
    return result


def _image(hwc: tuple[int, int, int] = IMAGE_HWC) -> np.ndarray:
    return RNG.normal(size=(BATCH, *hwc)).astype(np.float32)


def _i32(*values: int) -> np.ndarray:
    return np.array(values, np.int32)


def _scalar(value: int) -> np.ndarray:
    return np.array(value, np.int32)


@pytest.mark.parametrize("perm", [(0, 3, 1, 2), (0, 2, 1, 3), (3, 1, 2, 0)])
def test_transpose_of_an_image_tensor_follows_tf_axes(perm: tuple[int, ...]) -> None:
    g = _graph()
    g.node("t", "Transpose", ["image", g.const("perm", _i32(*perm))])
    x = _image()
    (got,) = _run(g, ["t"], {"image": x})
    np.testing.assert_array_equal(got, x.transpose(perm))


def test_transpose_of_a_plain_tensor() -> None:
    g = _graph()
    g.node("t", "Transpose", ["plain", g.const("perm", _i32(0, 2, 1))])
    x = RNG.normal(size=(BATCH, 3, 4)).astype(np.float32)
    (got,) = _run(g, ["t"], {"plain": x}, plain_shape=(3, 4))
    np.testing.assert_array_equal(got, x.transpose(0, 2, 1))


def test_reshape_by_a_shape_computed_at_run_time_and_by_a_constant() -> None:
    """SSD heads: Shape -> StridedSlice (batch) -> Pack -> Reshape, TF's row-major order on NHWC."""
    g = _graph()
    g.node("shape", "Shape", ["image"])
    g.node(
        "batch", "StridedSlice",
        ["shape", g.const("b", _i32(0)), g.const("e", _i32(1)), g.const("st", _i32(1))],
        shrink_axis_mask={"i": "1"},
    )  # fmt: skip
    g.node(
        "target",
        "Pack",
        ["batch", g.const("minus1", _scalar(-1)), g.const("two", _scalar(2))],
        axis={"i": "0"},
    )
    g.node("dynamic", "Reshape", ["image", "target"])
    g.node("constant", "Reshape", ["image", g.const("flat", _i32(-1, 6))])
    x = _image()
    shape, dynamic, constant = _run(g, ["shape", "dynamic", "constant"], {"image": x})
    np.testing.assert_array_equal(shape, [BATCH, *IMAGE_HWC])  # TF's NHWC shape, not the stored NCHW one
    np.testing.assert_array_equal(dynamic, x.reshape(BATCH, -1, 2))
    np.testing.assert_array_equal(constant, x.reshape(-1, 6))


def test_reshape_to_a_zero_dimension_fails_loudly() -> None:
    g = _graph()
    g.node("bad", "Reshape", ["image", g.const("zero", _i32(0, -1))])
    with pytest.raises(UnsupportedOpError, match=r"'bad'.*Reshape.*zero"):
        _run(g, ["bad"], {"image": _image()})


STRIDED = [
    # (begin, end, strides, begin_mask, end_mask, shrink_mask, numpy)
    ((0, 1, 0, 0), (0, 4, 0, 0), (1, 2, -1, 1), 0b1101, 0b1101, 0, lambda x: x[:, 1:4:2, ::-1, :]),
    ((0, 2), (0, 3), (1, 1), 0b01, 0b01, 0b10, lambda x: x[:, 2]),
    ((0, 0, 0, -1), (0, 0, 0, 0), (1, 1, 1, 1), 0b0111, 0b0111, 0b1000, lambda x: x[..., -1]),
    ((0, -3, 1), (0, -1, -1), (1, 1, 1), 0b001, 0b001, 0, lambda x: x[:, -3:-1, 1:-1]),
]


@pytest.mark.parametrize(
    ("begin", "end", "strides", "begin_mask", "end_mask", "shrink", "reference"), STRIDED
)
def test_strided_slice_of_an_image_tensor(
    begin: tuple[int, ...],
    end: tuple[int, ...],
    strides: tuple[int, ...],
    begin_mask: int,
    end_mask: int,
    shrink: int,
    reference: Any,
) -> None:
    g = _graph()
    g.node(
        "sliced", "StridedSlice",
        ["image", g.const("b", _i32(*begin)), g.const("e", _i32(*end)), g.const("s", _i32(*strides))],
        begin_mask={"i": str(begin_mask)}, end_mask={"i": str(end_mask)}, shrink_axis_mask={"i": str(shrink)},
        ellipsis_mask={"i": "0"}, new_axis_mask={"i": "0"},
    )  # fmt: skip
    x = _image()
    (got,) = _run(g, ["sliced"], {"image": x})
    np.testing.assert_array_equal(got, reference(x))


def test_strided_slice_with_an_ellipsis_fails_loudly() -> None:
    g = _graph()
    g.node(
        "ellipsis", "StridedSlice",
        ["image", g.const("b", _i32(0)), g.const("e", _i32(1)), g.const("s", _i32(1))],
        ellipsis_mask={"i": "1"},
    )  # fmt: skip
    with pytest.raises(UnsupportedOpError, match=r"'ellipsis'.*StridedSlice.*ellipsis_mask"):
        _run(g, ["ellipsis"], {"image": _image()})


def test_slice_with_sizes_to_the_end() -> None:
    """COCO-SSD drops the background column with Slice(begin 0,0,1; size -1,-1,-1)."""
    g = _graph()
    g.node("image_part", "Slice", ["image", g.const("b", _i32(0, 1, 0, 1)), g.const("n", _i32(-1, 2, -1, 3))])
    g.node("plain_part", "Slice", ["plain", g.const("b3", _i32(0, 0, 1)), g.const("n3", _i32(-1, -1, -1))])
    x, p = _image(), RNG.normal(size=(BATCH, 7, 5)).astype(np.float32)
    image_part, plain_part = _run(
        g, ["image_part", "plain_part"], {"image": x, "plain": p}, plain_shape=(7, 5)
    )
    np.testing.assert_array_equal(image_part, x[:, 1:3, :, 1:4])
    np.testing.assert_array_equal(plain_part, p[:, :, 1:])


def test_unpack_then_pack_along_other_axes() -> None:
    """The box decoder: Transpose, Unpack into 4 coordinates, arithmetic on each, Pack, Transpose."""
    g = _graph()
    g.node("coords", "Unpack", ["plain"], num={"i": "4"}, axis={"i": "2"})
    g.node("doubled", "Mul", ["coords:1", g.const("two", np.array(2.0, np.float32))])
    g.node("packed", "Pack", ["coords:3", "doubled", "coords", "coords:2"], axis={"i": "1"})
    g.node("channels", "Unpack", ["image"], num={"i": "6"}, axis={"i": "-1"})
    p, x = RNG.normal(size=(BATCH, 3, 4)).astype(np.float32), _image()
    packed, last, channel5 = _run(
        g, ["packed", "coords:3", "channels:5"], {"plain": p, "image": x}, plain_shape=(3, 4)
    )
    expected = np.stack([p[:, :, 3], 2 * p[:, :, 1], p[:, :, 0], p[:, :, 2]], axis=1)
    np.testing.assert_array_equal(packed, expected)
    np.testing.assert_array_equal(last, p[:, :, 3])
    np.testing.assert_array_equal(channel5, x[..., 5])


def test_an_output_beyond_what_the_op_produces_fails_loudly() -> None:
    g = _graph()
    g.node("coords", "Unpack", ["plain"], num={"i": "4"}, axis={"i": "1"})
    with pytest.raises(UnsupportedOpError, match=r"'coords'.*Unpack.*output 4"):
        _run(g, ["coords:4"], {"plain": np.zeros((BATCH, 4), np.float32)}, plain_shape=(4,))


@pytest.mark.parametrize("sizes", [(1, -1, 2), (-1, 1, 2), (2, 1, -1), (1, 2, 3)])
def test_split_v_along_channels_with_the_rest_anywhere(sizes: tuple[int, ...]) -> None:
    g = _graph()
    g.node("parts", "SplitV", ["image", g.const("sizes", _i32(*sizes)), g.const("axis", _scalar(-1))])
    x = _image()
    got = _run(g, [f"parts:{k}" for k in range(3)], {"image": x})
    rest = IMAGE_HWC[2] - sum(v for v in sizes if v != -1)
    bounds = np.cumsum([0, *(rest if v == -1 else v for v in sizes)])
    for k, part in enumerate(got):
        np.testing.assert_array_equal(part, x[..., bounds[k] : bounds[k + 1]])


def test_split_into_equal_parts_along_height() -> None:
    g = _graph()
    g.node("parts", "Split", [g.const("axis", _scalar(1)), "image"], num_split={"i": "2"})
    x = _image()
    top, bottom = _run(g, ["parts", "parts:1"], {"image": x})
    np.testing.assert_array_equal(top, x[:, :2])
    np.testing.assert_array_equal(bottom, x[:, 2:])


def test_pad_and_pad_v2_of_an_image_tensor() -> None:
    g = _graph()
    paddings = np.array([[0, 0], [1, 2], [0, 1], [2, 0]], np.int32)
    g.node("zero", "Pad", ["image", g.const("p", paddings)])
    g.node("seven", "PadV2", ["image", g.const("p2", paddings), g.const("v", np.array(7.0, np.float32))])
    x = _image()
    zero, seven = _run(g, ["zero", "seven"], {"image": x})
    np.testing.assert_array_equal(zero, np.pad(x, paddings))
    np.testing.assert_array_equal(seven, np.pad(x, paddings, constant_values=7.0))


def test_tile_anchors_to_the_batch_and_flatten() -> None:
    """COCO-SSD's anchors: a (1, A, 4) constant tiled by (batch, 1, 1), reshaped to (batch * A, 4)."""
    g = _graph()
    anchors = RNG.uniform(size=(1, 3, 4)).astype(np.float32)
    g.node("shape", "Shape", ["plain"])
    g.node(
        "batch", "StridedSlice",
        ["shape", g.const("b", _i32(0)), g.const("e", _i32(1)), g.const("st", _i32(1))],
        shrink_axis_mask={"i": "1"},
    )  # fmt: skip
    g.node("multiples", "Pack", ["batch", g.const("one", _scalar(1)), "one"], axis={"i": "0"})
    g.node("tiled", "Tile", [g.const("anchors", anchors), "multiples"])
    g.node("flat", "Reshape", ["tiled", g.const("shape4", _i32(-1, 4))])
    (flat,) = _run(g, ["flat"], {"plain": np.zeros((BATCH, 3, 4), np.float32)}, plain_shape=(3, 4))
    np.testing.assert_array_equal(flat, np.tile(anchors, (BATCH, 1, 1)).reshape(-1, 4))


def test_expand_dims_then_squeeze() -> None:
    g = _graph()
    g.node("expanded", "ExpandDims", ["image", g.const("axis", _scalar(2))])
    g.node("squeezed", "Squeeze", ["expanded"], squeeze_dims=ints(2))
    x = _image()
    expanded, squeezed = _run(g, ["expanded", "squeezed"], {"image": x})
    np.testing.assert_array_equal(expanded, x[:, :, None])
    np.testing.assert_array_equal(squeezed, x)


def test_batch_norm_bias_add_add_n_and_exp() -> None:
    """MobileNetV2 blocks and the box predictor: conv, FusedBatchNorm, BiasAdd, residual AddN, and Exp."""
    g = _graph()
    w = RNG.normal(size=(3, 3, 6, 6)).astype(np.float32) * 0.2
    gamma, beta, bias = (RNG.normal(size=6).astype(np.float32) for _ in range(3))
    mean, variance = RNG.normal(size=6).astype(np.float32), RNG.uniform(0.5, 2, size=6).astype(np.float32)
    g.node("conv", "Conv2D", ["image", g.const("w", w)], strides=ints(1, 1, 1, 1), padding=s("SAME"))
    g.node(
        "bn", "FusedBatchNorm",
        ["conv", g.const("gamma", gamma), g.const("beta", beta), g.const("mean", mean),
         g.const("var", variance)],
        epsilon={"f": 0.001}, is_training={"b": False}, data_format=s("NHWC"),
    )  # fmt: skip
    g.node("biased", "BiasAdd", ["bn", g.const("bias", bias)], data_format=s("NHWC"))
    g.node("sum", "AddN", ["biased", "image", "conv"])
    g.node("exp", "Exp", ["sum"])
    x = _image()
    (got,) = _run(g, ["exp"], {"image": x})
    conv = conv2d(x, w, 1, "SAME")
    bn = (conv - mean) / np.sqrt(variance + 0.001) * gamma + beta
    np.testing.assert_allclose(got, np.exp(bn + bias + x + conv), rtol=1e-4)


def test_batch_norm_outputs_other_than_y_fail_loudly() -> None:
    g = _graph()
    ones = np.ones(6, np.float32)
    g.node(
        "bn", "FusedBatchNorm",
        ["image", g.const("g", ones), g.const("b", ones), g.const("m", ones), g.const("v", ones)],
        is_training={"b": False},
    )  # fmt: skip
    with pytest.raises(UnsupportedOpError, match=r"'bn'.*output 1"):
        _run(g, ["bn:1"], {"image": _image()})


def test_a_while_loop_fails_loudly_and_a_cut_below_it_converts() -> None:
    g = _graph()
    g.node("merge", "Merge", ["image", "next"])
    g.node("step", "Mul", ["merge", g.const("half", np.array(0.5, np.float32))])
    g.node("next", "NextIteration", ["step"])
    g.node("after", "Mul", ["step", g.const("two", np.array(2.0, np.float32))])
    model, data = g.model(["after"])
    graph = parse_tfjs_graph(model, data)
    with pytest.raises(UnsupportedOpError, match=r"depends on itself.*GraphInput"):
        convert_tfjs_graph(graph, {"after": "out"})
    cut = convert_tfjs_graph(graph, {"after": "out"}, inputs=[GraphInput("step", "stepped", (4, 5, 6))])
    session = ort.InferenceSession(cut.SerializeToString(), providers=["CPUExecutionProvider"])
    x = _image()
    np.testing.assert_array_equal(session.run(["out"], {"stepped": x})[0], 2 * x)
    with pytest.raises(TfjsGraphError, match="no node named 'nowhere'"):
        convert_tfjs_graph(graph, {"after": "out"}, inputs=[GraphInput("nowhere", "x", (1,))])


def older_model_json(model: dict[str, Any]) -> dict[str, Any]:
    """``model`` as early tfjs-converter releases wrote it: no format key, byte-list strings, dtype enums."""
    dtypes = {"DT_FLOAT": 1, "DT_INT32": 3}
    older = copy.deepcopy(model)
    del older["format"], older["signature"]
    for node in older["modelTopology"]["node"]:
        for value in node.get("attr", {}).values():
            if isinstance(value.get("s"), str):
                value["s"] = list(base64.b64decode(value["s"]))
            if "type" in value:
                value["type"] = dtypes[value["type"]]
            listed = value.get("list")
            if listed is not None:
                listed["s"] = [list(base64.b64decode(v)) for v in listed.get("s", [])]
    return older


def test_the_older_model_json_form_reads_as_the_current_one() -> None:
    g = _graph()
    w = RNG.normal(size=(3, 3, 6, 2)).astype(np.float32)
    g.node(
        "conv", "Conv2D", ["image", g.const("w", w)],
        strides=ints(1, 2, 2, 1), padding=s("SAME"), data_format=s("NHWC"),
    )  # fmt: skip
    g.node("cast", "Cast", ["conv"], DstT={"type": "DT_FLOAT"})
    model, data = g.model(["cast"])
    older = older_model_json(model)
    assert older["modelTopology"]["node"][-2]["attr"]["padding"] == {"s": list(b"SAME")}
    graph = parse_tfjs_graph(older, data)
    assert graph.nodes["conv"].attr_str("padding") == "SAME"
    assert graph.nodes["conv"].attr_str("data_format") == "NHWC"
    assert graph.nodes["cast"].attrs["DstT"] == {"type": "DT_FLOAT"}
    converted = convert_tfjs_graph(graph, {"cast": "out"})
    session = ort.InferenceSession(converted.SerializeToString(), providers=["CPUExecutionProvider"])
    x = _image()
    np.testing.assert_allclose(
        session.run(["out"], {"image": x})[0], conv2d(x, w, 2, "SAME"), rtol=1e-4, atol=1e-5
    )
    with pytest.raises(TfjsGraphError, match=r"not a TF\.js graph"):
        parse_tfjs_graph({**older, "format": "layers-model"}, data)
