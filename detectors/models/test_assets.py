"""Test images that must not live in the repository, fetched once at set-up into the test-asset cache.

``bus.jpg`` and ``zidane.jpg`` are the sample images shipped inside the ``ultralytics`` wheel
(package licence AGPL-3.0). We only read them in tests; we never redistribute them. They are taken from the
wheel with ``pip download`` (so pip's index configuration, mirrors and hash checking apply), and pinned by
SHA-256.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from detectors.models.cache import sha256_file

Progress = Callable[[str], None]

ULTRALYTICS_VERSION = "8.3.40"


@dataclass(frozen=True, slots=True)
class TestAsset:
    """One pinned file inside a wheel."""

    __test__ = False  # not a pytest test class

    name: str
    member: str
    sha256: str


ULTRALYTICS_ASSETS: tuple[TestAsset, ...] = (
    TestAsset(
        name="bus.jpg",
        member="ultralytics/assets/bus.jpg",
        sha256="c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63",
    ),
    TestAsset(
        name="zidane.jpg",
        member="ultralytics/assets/zidane.jpg",
        sha256="16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb",
    ),
)


class TestAssetError(RuntimeError):
    """A test asset could not be fetched or does not match its pin."""

    __test__ = False


def assets_present(destination: Path) -> bool:
    """True when every asset is in ``destination`` with its pinned hash."""
    return all(
        (destination / a.name).is_file() and sha256_file(destination / a.name) == a.sha256
        for a in ULTRALYTICS_ASSETS
    )


def fetch_test_assets(destination: Path, progress: Progress, *, force: bool = False) -> list[Path]:
    """Put the pinned test images into ``destination``; skip when already there and verified."""
    paths = [destination / a.name for a in ULTRALYTICS_ASSETS]
    if not force and assets_present(destination):
        progress(f"test assets already present in {destination}")
        return paths
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gw-assets-") as scratch:
        progress(f"pip download ultralytics=={ULTRALYTICS_VERSION} (wheel only, no dependencies)")
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--quiet", f"ultralytics=={ULTRALYTICS_VERSION}", "-d", scratch,
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise TestAssetError(f"pip download failed: {completed.stderr.strip()[-2000:]}")
        wheels = sorted(Path(scratch).glob("ultralytics-*.whl"))
        if not wheels:
            raise TestAssetError("pip download produced no ultralytics wheel")
        with zipfile.ZipFile(wheels[0]) as wheel:
            for asset in ULTRALYTICS_ASSETS:
                target = destination / asset.name
                target.write_bytes(wheel.read(asset.member))
                if sha256_file(target) != asset.sha256:
                    target.unlink()
                    raise TestAssetError(f"{asset.member} in {wheels[0].name} does not match its pinned hash")
                progress(f"  {target}")
    (destination / "SOURCE.md").write_text(
        f"Images from the ultralytics {ULTRALYTICS_VERSION} wheel (AGPL-3.0), for tests only; "
        "never redistribute them.\n",
        encoding="utf-8",
    )
    return paths
