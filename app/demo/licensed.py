"""The licensed sample photos the demo camera is built from when the team's footage is absent.

`gridwatch models fetch-test-assets` (run by `make models`, which `make run` runs first) takes them from
registry packages with their stated licences, checks them against pinned SHA-256 digests and keeps them in the
test-asset cache (``$GW_TEST_ASSETS``, default ``~/.cache/gridwatch/test-assets``). Nothing is downloaded at
run time and nothing is committed; the footage made from them is written under ``var/footage/`` with a
``SOURCES.md`` beside it naming each photo's package, path and licence.

- ``leuvenB.jpg`` (Debian ``opencv-doc``, OpenCV sample data; Apache-2.0 and BSD-3-Clause): bicycles parked
  against a brick wall on a cobbled pavement. The scene of the demo camera.
- ``bus.jpg`` (the ``ultralytics`` 8.3.40 wheel on PyPI; AGPL-3.0): two people on a pavement, cut out to walk
  across the scene.
- ``person.jpg`` (Debian ``darknet``, darknet sample data; GPL-3.0+ or MIT or WTFPL): a person seen from
  behind, cut out to walk across the scene.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from detectors.models.test_assets import (
    DARKNET_ASSETS,
    DEBIAN_ASSETS,
    ULTRALYTICS_ASSETS,
    ULTRALYTICS_VERSION,
    TestAsset,
)

#: (x1, y1, x2, y2) in a photo's own pixels.
Box = tuple[float, float, float, float]


class LicensedImagesError(ValueError):
    """A folder of sample photos was named explicitly but is unusable."""


@dataclass(frozen=True, slots=True)
class LicensedImage:
    """One sample photo (a pinned test asset): where it comes from and under which licence."""

    asset: TestAsset
    package: str
    licence: str
    shows: str

    @property
    def name(self) -> str:
        """The photo's file name in the test-asset cache."""
        return self.asset.name

    @property
    def member(self) -> str:
        """The photo's path inside its package."""
        return self.asset.member.removeprefix(".")


@dataclass(frozen=True, slots=True)
class PasserBy:
    """A person in a sample photo, cut out along ``box`` (minus ``exclude``) to walk across the demo scene."""

    image: LicensedImage
    box: Box
    exclude: tuple[Box, ...] = ()


def _asset(name: str) -> TestAsset:
    """The pinned test asset of this name (where ``gridwatch models fetch-test-assets`` takes it from)."""
    return next(a for a in (*ULTRALYTICS_ASSETS, *DEBIAN_ASSETS, *DARKNET_ASSETS) if a.name == name)


LEUVEN = LicensedImage(
    asset=_asset("leuvenB.jpg"),
    package="Debian package opencv-doc (OpenCV sample data)",
    licence="Apache-2.0 AND BSD-3-Clause (OpenCV; see /usr/share/doc/opencv-doc/copyright)",
    shows="bicycles parked against a brick wall on a cobbled pavement",
)
BUS = LicensedImage(
    asset=_asset("bus.jpg"),
    package=f"PyPI package ultralytics {ULTRALYTICS_VERSION} (wheel)",
    licence="AGPL-3.0 (the ultralytics package's licence)",
    shows="people on a pavement beside a bus",
)
PERSON = LicensedImage(
    asset=_asset("person.jpg"),
    package="Debian package darknet (darknet sample data)",
    licence="GPL-3.0-or-later OR MIT OR WTFPL (darknet; see /usr/share/doc/darknet/copyright)",
    shows="a person standing in a field, with a dog and a horse",
)

#: The people who walk across the demo scene; boxes drawn by eye on the pinned files.
PASSERS_BY: tuple[PasserBy, ...] = (
    PasserBy(BUS, (45, 395, 221, 903)),
    PasserBy(BUS, (223, 405, 339, 863)),
    PasserBy(PERSON, (193, 99, 277, 375), exclude=((140, 285, 203, 345),)),
)

#: Name of the file written beside generated footage that names the photos it was made from.
SOURCES_FILE = "SOURCES.md"


@dataclass(frozen=True, slots=True)
class LicensedImages:
    """The sample photos found in a folder: the parked-bicycle scene and the people who can pass."""

    root: Path
    scene: Path
    passers_by: tuple[tuple[PasserBy, Path], ...]

    @property
    def used(self) -> tuple[LicensedImage, ...]:
        """Every photo the demo scene reads, each once."""
        images = [LEUVEN, *(passer.image for passer, _path in self.passers_by)]
        return tuple(dict.fromkeys(images))


def find_licensed_images(folder: Path, *, explicit: bool = False) -> LicensedImages | None:
    """The sample photos in ``folder``; None when the scene photo (leuvenB.jpg) is not there.

    A folder named explicitly (``explicit``) that does not exist is an error, not a silent fallback.
    """
    if not folder.is_dir():
        if explicit:
            raise LicensedImagesError(f"sample-image folder {folder} is not a folder")
        return None
    scene = folder / LEUVEN.name
    if not scene.is_file():
        return None
    passers = tuple(
        (passer, folder / passer.image.name)
        for passer in PASSERS_BY
        if (folder / passer.image.name).is_file()
    )
    return LicensedImages(root=folder, scene=scene, passers_by=passers)


def sources_text(images: Iterable[LicensedImage], cameras: Iterable[str]) -> str:
    """The ``SOURCES.md`` written beside generated footage: what each photo is, where from, its licence."""
    lines = [
        "# Where the demo footage in this folder comes from",
        "",
        f"Generated by `gridwatch demo footage` for camera(s) {', '.join(cameras)} from sample photos",
        "that `gridwatch models fetch-test-assets` took from registry packages (pinned by SHA-256). The",
        "frames are derived works of these photos: keep this file with them and honour each licence if",
        "you pass them on.",
        "",
    ]
    for image in images:
        lines += [
            f"- `{image.name}`: {image.shows}.",
            f"  Source: {image.package}, `{image.member}`.",
            f"  Licence: {image.licence}.",
        ]
    return "\n".join(lines) + "\n"
