"""The verifier's embedder, cut out of the detector's own ONNX model (needs ``onnx``: the modelbuild extra).

SSDLite-MobileNetV2's box predictors read two backbone feature maps: 19x19x576 (``BoxPredictor_0``) and
10x10x1280 (``BoxPredictor_1``, the network's last 1x1 convolution). The embedder is the same graph with those
two tensors as its only outputs (ONNX's extractor keeps just the nodes they need): what the detector already
computed about an object, reused, trained by nobody here.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx.utils import Extractor

FEATURE_NODES = (
    "BoxPredictor_0/ClassPredictor_depthwise/depthwise",
    "BoxPredictor_1/ClassPredictor_depthwise/depthwise",
)
"""The nodes whose input is a backbone feature map (their names as the converter wrote them, + a suffix)."""


class EmbedderBuildError(RuntimeError):
    """The detector model does not have the feature maps an embedder needs."""


def feature_tensors(model: onnx.ModelProto) -> list[str]:
    """The names of the backbone feature maps in ``model``."""
    found: list[str] = []
    for prefix in FEATURE_NODES:
        node = next((n for n in model.graph.node if n.name.startswith(prefix + "__")), None)
        if node is None:
            raise EmbedderBuildError(f"the model has no node {prefix}__*: not the SSDLite-MobileNetV2 graph")
        found.append(node.input[0])
    return found


def write_embedder(detector_onnx: Path, out: Path) -> tuple[str, int]:
    """Write the embedder of ``detector_onnx`` to ``out``; its input name and input size."""
    model = onnx.shape_inference.infer_shapes(onnx.load(str(detector_onnx)))
    outputs = feature_tensors(model)
    source = model.graph.input[0]
    extractor = Extractor(model)
    embedder = extractor.extract_model([source.name], outputs)
    onnx.save(embedder, str(out))
    size = source.type.tensor_type.shape.dim[1].dim_value
    return source.name, int(size)
