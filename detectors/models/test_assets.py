"""Test images that must not live in the repository, fetched once at set-up into the test-asset cache.

``bus.jpg`` and ``zidane.jpg`` are the sample images shipped inside the ``ultralytics`` wheel
(package licence AGPL-3.0). We only read them in tests; we never redistribute them. They are taken from the
wheel with ``pip download`` (so pip's index configuration, mirrors and hash checking apply), and pinned by
SHA-256.

``leuvenB.jpg`` (a street in Leuven with bicycles leaning on a wall) is an OpenCV sample image,
taken from Debian's ``opencv-doc`` package (OpenCV: Apache-2.0 and BSD-3-Clause) with ``apt-get download``
(the machine's APT sources and signature checks apply) and ``dpkg-deb``, and pinned by SHA-256. Where APT is
not available (not Debian or Ubuntu) it is skipped with a message, and the tests that read it skip.

``dog.jpg`` (a road bicycle leaning on a porch rail, a dog in front of it) and ``person.jpg`` (a person
standing in a field, with a dog and a horse) are darknet's sample images, taken the same way from Debian's
``darknet`` package (darknet: GPL-3.0+ or MIT or WTFPL, at the user's choice): the scenario composer cuts a
bicycle and a person out of them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
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


DEBIAN_PACKAGE = "opencv-doc"
DEBIAN_ASSETS: tuple[TestAsset, ...] = (
    TestAsset(
        name="leuvenB.jpg",
        member="./usr/share/doc/opencv-doc/examples/data/leuvenB.jpg",
        sha256="5bb41a60038a2baa5d8ea0eaba55e6e3050d721b254cf79d8d8998d7e49d664a",
    ),
)


DARKNET_PACKAGE = "darknet"
DARKNET_ASSETS: tuple[TestAsset, ...] = (
    TestAsset(
        name="dog.jpg",
        member="./usr/share/darknet/data/dog.jpg",
        sha256="5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866",
    ),
    TestAsset(
        name="person.jpg",
        member="./usr/share/darknet/data/person.jpg",
        sha256="cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1",
    ),
)

#: Every Debian package test images come from, with its images.
DEBIAN_SOURCES: tuple[tuple[str, tuple[TestAsset, ...]], ...] = (
    (DEBIAN_PACKAGE, DEBIAN_ASSETS),
    (DARKNET_PACKAGE, DARKNET_ASSETS),
)


class TestAssetError(RuntimeError):
    """A test asset could not be fetched or does not match its pin."""

    __test__ = False


def _present(destination: Path, assets: tuple[TestAsset, ...]) -> bool:
    return all(
        (destination / a.name).is_file() and sha256_file(destination / a.name) == a.sha256 for a in assets
    )


def assets_present(destination: Path) -> bool:
    """True when every asset is in ``destination`` with its pinned hash."""
    return _present(destination, ULTRALYTICS_ASSETS) and all(
        _present(destination, assets) for _package, assets in DEBIAN_SOURCES
    )


def fetch_test_assets(destination: Path, progress: Progress, *, force: bool = False) -> list[Path]:
    """Put the pinned test images into ``destination``; skip those already there and verified.

    Returns the paths of the assets now present (the Debian ones are left out where APT is unavailable).
    """
    destination.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    if not force and _present(destination, ULTRALYTICS_ASSETS):
        progress(f"ultralytics test images already present in {destination}")
    else:
        _fetch_ultralytics(destination, progress)
    paths.extend(destination / a.name for a in ULTRALYTICS_ASSETS)
    for package, assets in DEBIAN_SOURCES:
        if not force and _present(destination, assets):
            progress(f"Debian {package} test images already present in {destination}")
            paths.extend(destination / a.name for a in assets)
        elif shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
            names = ", ".join(a.name for a in assets)
            progress(f"skipped {names}: apt-get/dpkg-deb are not available here (Debian/Ubuntu only)")
        else:
            _fetch_debian(destination, progress, package, assets)
            paths.extend(destination / a.name for a in assets)
    (destination / "SOURCE.md").write_text(
        f"bus.jpg, zidane.jpg: from the ultralytics {ULTRALYTICS_VERSION} wheel (AGPL-3.0).\n"
        f"leuvenB.jpg: OpenCV sample data from Debian's {DEBIAN_PACKAGE} package (Apache-2.0 and "
        "BSD-3-Clause).\n"
        f"dog.jpg, person.jpg: darknet sample data from Debian's {DARKNET_PACKAGE} package (GPL-3.0+ or MIT "
        "or WTFPL).\nFor tests only; never redistribute them.\n",
        encoding="utf-8",
    )
    return paths


def _fetch_ultralytics(destination: Path, progress: Progress) -> None:
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
                _write_verified(destination / asset.name, wheel.read(asset.member), asset, wheels[0].name)
                progress(f"  {destination / asset.name}")


def _fetch_debian(destination: Path, progress: Progress, package: str, assets: tuple[TestAsset, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="gw-assets-") as scratch:
        progress(f"apt-get download {package} (only its sample images are kept)")
        completed = subprocess.run(
            ["apt-get", "download", package], cwd=scratch, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise TestAssetError(f"apt-get download {package} failed: {completed.stderr.strip()[-2000:]}")
        packages = sorted(Path(scratch).glob(f"{package}_*.deb"))
        if not packages:
            raise TestAssetError(f"apt-get download produced no {package} package")
        wanted = {asset.member: asset for asset in assets}
        found: set[str] = set()
        with subprocess.Popen(
            ["dpkg-deb", "--fsys-tarfile", str(packages[0])], stdout=subprocess.PIPE
        ) as dpkg:
            assert dpkg.stdout is not None  # stdout=PIPE
            with tarfile.open(fileobj=dpkg.stdout, mode="r|") as archive:  # streamed: nothing else extracted
                for member in archive:
                    asset = wanted.get(member.name)
                    handle = archive.extractfile(member) if asset is not None else None
                    if asset is None or handle is None:
                        continue
                    _write_verified(destination / asset.name, handle.read(), asset, packages[0].name)
                    found.add(member.name)
                    progress(f"  {destination / asset.name}")
        missing = wanted.keys() - found
        if missing:
            raise TestAssetError(f"{packages[0].name} lacks {sorted(missing)}")


def _write_verified(target: Path, data: bytes, asset: TestAsset, origin: str) -> None:
    target.write_bytes(data)
    if sha256_file(target) != asset.sha256:
        target.unlink()
        raise TestAssetError(f"{asset.member} in {origin} does not match its pinned hash")
