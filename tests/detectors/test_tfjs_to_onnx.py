"""The direct TF.js → ONNX converter on a small synthetic graph, checked against numpy references."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detectors.models.tfjs_graph import TfjsGraphError, load_tfjs_graph, parse_tfjs_graph
from tests.detectors.tfjs_fixtures import (
    GraphBuilder,
    conv2d,
    ints,
    max_pool_same,
    resize_bilinear_asymmetric,
    s,
    strs,
)

onnx = pytest.importorskip(
    "onnx", reason="the converter needs the build-time extra: pip install '.[modelbuild]'"
)
ort = pytest.importorskip("onnxruntime")

from detectors.models.tfjs_to_onnx import UnsupportedOpError, convert_tfjs_graph  # noqa: E402

RNG = np.random.default_rng(7)


def _weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)  # the same weights for the graph and for the reference
    return {
        "conv_w": rng.normal(size=(3, 3, 3, 4)).astype(np.float32),
        "conv_b": rng.normal(size=4).astype(np.float32),
        "dw_w": rng.normal(size=(3, 3, 4, 1)).astype(np.float32),
        "dw_b": rng.normal(size=4).astype(np.float32),
        "channel_add": rng.normal(size=4).astype(np.float32),
        "side_w": rng.normal(size=(1, 1, 3, 2)).astype(np.float32),
        "side_b": rng.normal(size=2).astype(np.float32),
    }


def _build(weights: dict[str, np.ndarray]) -> GraphBuilder:
    g = GraphBuilder()
    g.nodes.append(
        {
            "name": "images",
            "op": "Placeholder",
            "attr": {
                "shape": {"shape": {"dim": [{"size": "1"}, {"size": "8"}, {"size": "8"}, {"size": "3"}]}}
            },
        }
    )
    conv = {
        "strides": ints(1, 2, 2, 1),
        "padding": s("SAME"),
        "data_format": s("NHWC"),
        "num_args": {"i": "1"},
    }
    g.node(
        "conv", "_FusedConv2D",
        ["images", g.const("conv_w", weights["conv_w"], float16=True), g.const("conv_b", weights["conv_b"])],
        fused_ops=strs("BiasAdd", "Relu"), **conv,
    )  # fmt: skip
    g.node(
        "dw", "FusedDepthwiseConv2dNative",
        ["conv", g.const("dw_w", weights["dw_w"]), g.const("dw_b", weights["dw_b"])],
        fused_ops=strs("BiasAdd"), strides=ints(1, 1, 1, 1), padding=s("SAME"), data_format=s("NHWC"),
        num_args={"i": "1"},
    )  # fmt: skip
    g.node("relu6", "Relu6", ["dw"])
    g.node("mean", "Mean", ["relu6", g.const("axes", np.array([1, 2], np.int32))], keep_dims={"b": True})
    g.node("excite", "Mul", ["mean", "relu6"])
    g.node("shifted", "AddV2", ["excite", g.const("channel_add", weights["channel_add"])])
    g.node("half", "Mul", [g.const("half_y", np.array(0.5, np.float32)), "shifted"])
    g.node("up", "ResizeBilinear", ["half", g.const("size", np.array([8, 8], np.int32))])
    g.node(
        "side", "_FusedConv2D",
        ["images", g.const("side_w", weights["side_w"]), g.const("side_b", weights["side_b"])],
        fused_ops=strs("BiasAdd"), strides=ints(1, 1, 1, 1), padding=s("VALID"), data_format=s("NHWC"),
        num_args={"i": "1"},
    )  # fmt: skip
    g.node("concat", "ConcatV2", ["up", "side", g.const("axis", np.array(-1, np.int32))])
    g.node("heat", "Sigmoid", ["concat"])
    g.node("heat_out", "Identity", ["heat"])
    g.node(
        "pool", "MaxPool", ["heat_out"], ksize=ints(1, 3, 3, 1), strides=ints(1, 1, 1, 1), padding=s("SAME")
    )
    g.node("is_peak", "Equal", ["heat_out", "pool"])
    g.node("peak_f", "Cast", ["is_peak"], DstT={"type": "DT_FLOAT"})
    g.node("peaks", "Mul", ["heat_out", "peak_f"])
    g.node("unsupported", "TopKV2", ["peaks", g.const("k", np.array(5, np.int32))])
    return g


def _reference(x: np.ndarray, w: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    conv_w = w["conv_w"].astype(np.float16).astype(np.float32)  # stored as float16 in the weights
    conv = np.maximum(conv2d(x, conv_w, 2, "SAME") + w["conv_b"], 0)
    relu6 = np.clip(conv2d(conv, w["dw_w"], 1, "SAME", depthwise=True) + w["dw_b"], 0, 6)
    mean = relu6.mean(axis=(1, 2), keepdims=True)
    half = 0.5 * (mean * relu6 + w["channel_add"])
    up = resize_bilinear_asymmetric(half, 8, 8)
    side = conv2d(x, w["side_w"], 1, "VALID") + w["side_b"]
    heat = 1 / (1 + np.exp(-np.concatenate([up, side], axis=-1)))
    peaks = heat * (heat == max_pool_same(heat, 3))
    return {"heat": heat, "mean": mean, "peaks": peaks}


@pytest.fixture
def graph_dir(tmp_path: Path) -> Path:
    model, data = _build(_weights()).model(["peaks"])
    (tmp_path / "model.json").write_text(json.dumps(model))
    (tmp_path / "weights.bin").write_bytes(data)
    return tmp_path


def test_converted_graph_matches_numpy_reference_for_any_batch(graph_dir: Path, tmp_path: Path) -> None:
    graph = load_tfjs_graph(graph_dir / "model.json")
    model = convert_tfjs_graph(graph, {"heat_out": "heat", "mean": "mean", "peaks": "peaks"})
    path = tmp_path / "converted.onnx"
    onnx.save(model, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape == ["batch", 8, 8, 3]
    assert [o.shape for o in session.get_outputs()] == [
        ["batch", 8, 8, 6],
        ["batch", 1, 1, 4],
        ["batch", 8, 8, 6],
    ]
    x = RNG.uniform(0, 1, size=(3, 8, 8, 3)).astype(np.float32)
    heat, mean, peaks = session.run(["heat", "mean", "peaks"], {"images": x})
    expected = _reference(x.astype(np.float64).astype(np.float32), _weights())
    np.testing.assert_allclose(heat, expected["heat"], atol=1e-5)
    np.testing.assert_allclose(mean, expected["mean"], atol=1e-5)
    assert ((peaks > 0) == (expected["peaks"] > 0)).mean() > 0.99  # ties may flip on float noise
    assert 0 < np.count_nonzero(peaks) < peaks.size  # some cells kept, some suppressed


def test_unsupported_ops_fail_loudly_with_the_node_name(graph_dir: Path) -> None:
    graph = load_tfjs_graph(graph_dir / "model.json")
    with pytest.raises(UnsupportedOpError, match=r"'unsupported'.*TopKV2"):
        convert_tfjs_graph(graph, {"unsupported": "top"})


def test_reader_dequantises_uint8_and_checks_sizes() -> None:
    model = {
        "format": "graph-model",
        "modelTopology": {"node": [{"name": "w", "op": "Const"}]},
        "weightsManifest": [
            {
                "paths": ["w.bin"],
                "weights": [
                    {
                        "name": "w",
                        "shape": [3],
                        "dtype": "float32",
                        "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0},
                    }
                ],
            }
        ],
    }
    graph = parse_tfjs_graph(model, bytes([0, 2, 4]))
    np.testing.assert_allclose(graph.constants["w"], [-1.0, 0.0, 1.0])
    with pytest.raises(TfjsGraphError, match="describes 3 bytes"):
        parse_tfjs_graph(model, bytes([0, 2, 4, 6]))
    with pytest.raises(TfjsGraphError, match=r"not a TF\.js graph"):
        parse_tfjs_graph({**model, "format": "layers-model"}, b"")
