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

``tuxpaint-*.png`` are photographic stamps with their own transparency, from Tux Paint's stamp collection
(Debian's ``tuxpaint-stamps-default``, GPL-2.0-or-later): vegetables and fruit, which the composer piles up as
goods a vendor lays out on the pavement (no registry package we read ships a photo of a street stall), and
street furniture (a wheelie bin, a metal dustbin, a compost bin, a UK and a US post box, a road cone), which
it stands in a shop front as decoys: things that stand there for long and are no offence.
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


#: Photographic stamps with their own transparency, from Tux Paint's stamp collection (Debian
#: ``tuxpaint-stamps-default``, GPL-2.0-or-later): produce, which the scenario composer piles up as a street
#: vendor's goods laid out on the pavement, and street furniture, which it puts down as decoys (no offence).
TUXPAINT_PACKAGE = "tuxpaint-stamps-default"
TUXPAINT_ASSETS: tuple[TestAsset, ...] = (
    TestAsset(
        name="tuxpaint-pumpkin_small.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/pumpkin_small.png",
        sha256="0f51acf9396057330ba0c862c8ebd55f93f41afdf052be4e2a52d28db42a7529",
    ),
    TestAsset(
        name="tuxpaint-lettuce.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/lettuce.png",
        sha256="12491d98d3071de43dff11522d36d778e23389f7280082199c09d7062a6269bc",
    ),
    TestAsset(
        name="tuxpaint-redlettuce.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/redlettuce.png",
        sha256="841ad7f0325a85a849a50eeb1c2e9b1361db2e1665d42789e4738c98085743ec",
    ),
    TestAsset(
        name="tuxpaint-broccoli.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/broccoli.png",
        sha256="327bd677cabfdd1fafa03006dbb2a31c2f39c2d764e0ef6eef6664268849b278",
    ),
    TestAsset(
        name="tuxpaint-corn.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/corn.png",
        sha256="f25c61bc57e96d81db51c62f0138158cb717f3ec4e679ab03b541cffbdf8c4d8",
    ),
    TestAsset(
        name="tuxpaint-eggplant.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/eggplant.png",
        sha256="f0c41dfcc49e1f9eeee40e7121527ccece1bec2036827ffa9c35d28e1062ef6f",
    ),
    TestAsset(
        name="tuxpaint-potato.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/potato.png",
        sha256="51aa9c9926a1f308d8ced21a89f6da18870c42136f34f73a6f3b6e1697326478",
    ),
    TestAsset(
        name="tuxpaint-tomato.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/tomato.png",
        sha256="868f67925896b8c9ebdd9b8fa02cbf4b084b08982a536078c1c7c2a8d6a960d4",
    ),
    TestAsset(
        name="tuxpaint-onion.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/onion.png",
        sha256="597e8ad6d26fb359e590aaf7e674cb2d492aeb501c6363bc55646405ca4f8ae5",
    ),
    TestAsset(
        name="tuxpaint-yellowpepper.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/yellowpepper.png",
        sha256="0b2857a8cf470832db12c1ae6a0af937d1cee0f8c7bc25bc7f206449cd4074f2",
    ),
    TestAsset(
        name="tuxpaint-carrot.png",
        member="./usr/share/tuxpaint/stamps/food/vegetables/carrot.png",
        sha256="572c35c09096a023b87a467491ad6209c7e4b0bec993a61d30ccc6177bade33a",
    ),
    TestAsset(
        name="tuxpaint-pineapple.png",
        member="./usr/share/tuxpaint/stamps/food/fruit/pineapple.png",
        sha256="a75f52ca43cc72da23fbae92b4f3f267c7985833ed3a86cd88b37f904ed50474",
    ),
    TestAsset(
        name="tuxpaint-grapes.png",
        member="./usr/share/tuxpaint/stamps/food/fruit/grapes.png",
        sha256="ccc8ab7a8ee64276138ceb0416c1602d5c2fea0158bcdae7125a0fbe023de457",
    ),
    TestAsset(
        name="tuxpaint-banana.png",
        member="./usr/share/tuxpaint/stamps/food/fruit/banana.png",
        sha256="e55d901371482da3e7b130029d19bd89fab155dfed8ac5bf4d95d8f9463f5a7d",
    ),
    TestAsset(
        name="tuxpaint-orange.png",
        member="./usr/share/tuxpaint/stamps/food/fruit/orange.png",
        sha256="4300561405f5db1bd779e0cb64e4b9b43b35e5973f3e10cf9b05a0406eb3c420",
    ),
    TestAsset(
        name="tuxpaint-apple_red.png",
        member="./usr/share/tuxpaint/stamps/food/fruit/apple_red.png",
        sha256="405c66c1de7ad6f5141eb646b39933f410a51042877df141efec8b577b6f2e03",
    ),
    TestAsset(
        name="tuxpaint-apple_green.png",
        member="./usr/share/tuxpaint/stamps/food/fruit/apple_green.png",
        sha256="6ba695fec72a5b97fb7939afdf8e4296ee0587adcab852e86694ba3d6b5c51e5",
    ),
    TestAsset(
        name="tuxpaint-mango.png",
        member="./usr/share/tuxpaint/stamps/food/fruit/mango.png",
        sha256="836e68170acc3a2e351ee4475ed5f032c7216d59708f43f02f1d9b54d904d764",
    ),
    TestAsset(
        name="tuxpaint-wheelie_bin.png",
        member="./usr/share/tuxpaint/stamps/household/wheelie_bin.png",
        sha256="2a0142a0a56b4513f7577bb2d0fb9eaead1853b41329281187e648769c92d541",
    ),
    TestAsset(
        name="tuxpaint-garbagecan.png",
        member="./usr/share/tuxpaint/stamps/household/garbagecan.png",
        sha256="16a78c7d1d6c559ac5922d3d3ecfa81c3dad21b2c508280b1d1b9b4f6bf49cdd",
    ),
    TestAsset(
        name="tuxpaint-home_compost_bin.png",
        member="./usr/share/tuxpaint/stamps/household/home_compost_bin.png",
        sha256="36ba828b0a84d561396fa149f4d6bf1d97f3e9b050a44ba272b8876c1bd588bd",
    ),
    TestAsset(
        name="tuxpaint-uk_post_box.png",
        member="./usr/share/tuxpaint/stamps/town/uk_post_box.png",
        sha256="c2616a3bea9c5f67af20a8265252ed8a5934a7adcfc44abfde706cfd17855664",
    ),
    TestAsset(
        name="tuxpaint-usps_mailbox.png",
        member="./usr/share/tuxpaint/stamps/town/usps_mailbox.png",
        sha256="814b55b85cb8382e6e152dbf950b1d3e7253b9976a06a420713ef93824e474a5",
    ),
    TestAsset(
        name="tuxpaint-traffic_cone.png",
        member="./usr/share/tuxpaint/stamps/town/roadsigns/traffic_cone.png",
        sha256="06cca35e7a3f9cc21c8d959f28f1d399389bdd4635f057c3f7749add88c08c7f",
    ),
)

#: Every Debian package test images come from, with its images.
DEBIAN_SOURCES: tuple[tuple[str, tuple[TestAsset, ...]], ...] = (
    (DEBIAN_PACKAGE, DEBIAN_ASSETS),
    (DARKNET_PACKAGE, DARKNET_ASSETS),
    (TUXPAINT_PACKAGE, TUXPAINT_ASSETS),
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
        "or WTFPL).\n"
        f"tuxpaint-*.png: photographic stamps of produce and of street furniture (bins, post boxes, a road "
        f"cone) from Debian's {TUXPAINT_PACKAGE} package (Tux Paint, GPL-2.0-or-later).\n"
        "Read locally by the tests, the demo and the scenario composer; never committed or redistributed "
        "by Gridwatch (honour each licence if you pass on anything made from them).\n",
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
