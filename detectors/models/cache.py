"""Where built models and test assets live: outside the repository, in a per-user cache.

``$GW_MODEL_CACHE`` (default ``~/.cache/gridwatch/models``) holds ``<model id>/<version>/`` with
``model.onnx``, ``manifest.json`` (hashes and provenance) and ``LICENCE.md`` (the licence record).
``$GW_TEST_ASSETS`` (default ``~/.cache/gridwatch/test-assets``) holds images tests read.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detectors.models.registry import ModelSpec

MODEL_CACHE_ENV = "GW_MODEL_CACHE"
TEST_ASSETS_ENV = "GW_TEST_ASSETS"


def model_cache_dir() -> Path:
    """The model cache root (``$GW_MODEL_CACHE`` or ``~/.cache/gridwatch/models``)."""
    configured = os.environ.get(MODEL_CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "gridwatch" / "models"


def asset_cache_dir() -> Path:
    """The test-asset cache (``$GW_TEST_ASSETS`` or ``~/.cache/gridwatch/test-assets``)."""
    configured = os.environ.get(TEST_ASSETS_ENV)
    return (
        Path(configured).expanduser() if configured else Path.home() / ".cache" / "gridwatch" / "test-assets"
    )


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """The cache paths of one model version."""

    spec: ModelSpec
    root: Path

    @classmethod
    def of(cls, spec: ModelSpec, cache_dir: Path | None = None) -> ModelFiles:
        """The files of ``spec`` under ``cache_dir`` (default: :func:`model_cache_dir`)."""
        return cls(spec=spec, root=cache_dir if cache_dir is not None else model_cache_dir())

    @property
    def directory(self) -> Path:
        """``<cache>/<model id>/<version>``."""
        return self.root / self.spec.id / self.spec.version

    @property
    def onnx(self) -> Path:
        """The built ONNX model."""
        return self.directory / "model.onnx"

    @property
    def manifest(self) -> Path:
        """Provenance and hashes of the build."""
        return self.directory / "manifest.json"

    @property
    def licence(self) -> Path:
        """The licence record (our summary followed by the package's licence text)."""
        return self.directory / "LICENCE.md"

    @property
    def source(self) -> Path:
        """The extracted source files (TF.js graph and weights) the model was converted from."""
        return self.directory / "source"

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None when it is missing or unreadable."""
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def is_built(self, *, verify: bool = True) -> bool:
        """True when the model, its manifest and licence exist and (``verify``) the model's hash matches."""
        manifest = self.read_manifest()
        if manifest is None or not self.onnx.is_file() or not self.licence.is_file():
            return False
        if manifest.get("model_id") != self.spec.id or manifest.get("model_version") != self.spec.version:
            return False
        return not verify or manifest.get("onnx_sha256") == sha256_file(self.onnx)
