"""`build_model` on an SSD-like catalogue entry, offline: a fake npm registry serves a tiny older-format graph
whose preprocessing is a while loop, so the build must cut below it (``ModelSpec.input_tensor``)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import httpx
import numpy as np
import pytest

from detectors.backends.onnx_runtime import OnnxRuntimeBackend
from detectors.models import npm_registry
from detectors.models.cache import ModelFiles
from detectors.models.registry import SSD_MODEL_ID, ModelSpec, NpmSource, get_model_spec
from tests.detectors.models.test_converter_ops import older_model_json
from tests.detectors.tfjs_fixtures import GraphBuilder, ints, s

pytest.importorskip("onnx", reason="building needs the build-time extra: pip install '.[modelbuild]'")

from detectors.models.build import build_model

SIZE = 8
PACKAGE = "tiny-ssd"


def _tarball() -> bytes:
    g = GraphBuilder()
    dims = [{"size": "-1"}, {"size": "-1"}, {"size": "-1"}, {"size": "3"}]
    g.nodes.append({"name": "image_tensor", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": dims}}}})
    g.node("loop", "Merge", ["image_tensor", "next"])  # stands for the resize while loop
    g.node("next", "NextIteration", ["loop"])
    g.node("gathered", "Identity", ["loop"])
    g.node("scaled", "Mul", ["gathered", g.const("scale", np.array(1 / 255, np.float32))])
    weights = np.random.default_rng(2).normal(size=(3, 3, 3, 94)).astype(np.float32)
    g.node("conv", "Conv2D", ["scaled", g.const("w", weights)], strides=ints(1, 4, 4, 1), padding=s("SAME"))
    g.node(
        "parts",
        "SplitV",
        ["conv", g.const("sizes", np.array([90, -1], np.int32)), g.const("axis", np.array(-1, np.int32))],
    )
    g.node("logits", "Reshape", ["parts", g.const("shape_s", np.array([-1, 4, 90], np.int32))])
    g.node("scores", "Sigmoid", ["logits"])
    g.node("codes", "Reshape", ["parts:1", g.const("shape_b", np.array([-1, 4, 1, 4], np.int32))])
    g.node("unit", "Sigmoid", ["codes"])  # boxes: ymin, xmin in 0..0.5, ymax, xmax in 0.5..1
    g.node("halved", "Mul", ["unit", g.const("half", np.full(4, 0.5, np.float32))])
    g.node("boxes", "Add", ["halved", g.const("offset", np.array([0, 0, 0.5, 0.5], np.float32))])
    model, data = g.model(["scores", "boxes"])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, payload in (
            ("package/model/model.json", json.dumps(older_model_json(model)).encode()),
            ("package/model/weights.bin", data),
            ("package/LICENSE", b"Apache License\nVersion 2.0, January 2004\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def _spec(tarball: bytes) -> ModelSpec:
    source = NpmSource(
        package=PACKAGE,
        version="1.0.0",
        integrity="sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode(),
        shasum=hashlib.sha1(tarball, usedforsecurity=False).hexdigest(),
        model_json="package/model/model.json",
    )
    update = {
        "id": "tiny-ssd",
        "version": "1",
        "source": source,
        "input_tensor": "gathered",
        "input_size": SIZE,
        "outputs": {"scores": "scores", "boxes": "boxes"},
    }
    return get_model_spec(SSD_MODEL_ID).model_copy(update=update)


def test_build_cuts_below_the_loop_records_the_cut_and_runs_on_a_backend(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tarball = _tarball()
    spec = _spec(tarball)

    def registry(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(".tgz"):
            return httpx.Response(200, content=tarball)
        tgz = f"https://registry.test/{PACKAGE}/-/{PACKAGE}-1.0.0.tgz"
        dist = {"integrity": spec.source.integrity, "shasum": spec.source.shasum, "tarball": tgz}
        return httpx.Response(200, json={"dist": dist})

    monkeypatch.setattr(
        npm_registry, "_client", lambda: httpx.Client(transport=httpx.MockTransport(registry))
    )
    monkeypatch.setenv("GW_NPM_REGISTRY", "https://registry.test")
    files = ModelFiles.of(spec, tmp_path)
    lines: list[str] = []
    assert build_model(spec, files, force=False, progress=lines.append).built
    assert any("scores (1, 4, 90), boxes (1, 4, 1, 4)" in line for line in lines)
    assert "preprocessing above gathered is left out" in files.licence.read_text(encoding="utf-8")
    backend = OnnxRuntimeBackend(files.onnx, spec)
    assert backend.session.get_inputs()[0].name == "image"
    assert backend.session.get_inputs()[0].shape == ["batch", SIZE, SIZE, 3]
    frames = [np.random.default_rng(k).integers(0, 255, size=(30, 40, 3), dtype=np.uint8) for k in range(3)]
    results = backend.detect_batch(frames)
    assert len(results) == 3 and all(len(r) > 0 for r in results)  # sigmoid scores around 0.5 pass 0.2
    for result in results:
        assert np.all(result.xyxy[:, [0, 2]] <= 40) and np.all(result.xyxy[:, [1, 3]] <= 30)
