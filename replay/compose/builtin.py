"""Objects in the licensed sample photos that ``gridwatch models fetch-test-assets`` puts in the test-asset
cache (taken from registry packages, pinned by SHA-256; never downloaded at run time, never redistributed).

The boxes were drawn by eye once, on the pinned files:

- ``leuvenB.jpg`` (Debian ``opencv-doc``, OpenCV sample data, Apache-2.0 and BSD-3-Clause): two bicycles
  leaning on a brick wall on a cobbled pavement.
- ``dog.jpg`` (Debian ``darknet``, GPL-3.0+ or MIT or WTFPL): a red road bicycle on a porch, a dog sitting in
  front of its front wheel (the dog is excluded from the cut-out; the bicycle keeps a hole there, as a
  half-hidden parked bike would).
- ``person.jpg`` (Debian ``darknet``): a person standing, seen from behind (for a person walking a bike).
- ``bus.jpg`` (the ``ultralytics`` wheel, AGPL-3.0): two of the people standing on a pavement (the third
  is cut by the bus).

Trading objects (tables, chairs, umbrellas, goods) are not here: none of the registry packages we read ships
a photo of one with a stated licence. Build them from your own labelled photos (``gridwatch replay cutouts
--voc``), e.g. frames of the site's own cameras.
"""

from __future__ import annotations

from pathlib import Path

from detectors.models.cache import asset_cache_dir
from replay.compose.labelled import LabelledObject

OPENCV = ("Apache-2.0 AND BSD-3-Clause", "OpenCV sample data, Debian opencv-doc examples/data")
DARKNET = ("GPL-3.0-or-later OR MIT OR WTFPL", "darknet sample data, Debian darknet /usr/share/darknet/data")
ULTRALYTICS = ("AGPL-3.0", "ultralytics 8.3.40 wheel, ultralytics/assets")

#: (file, class, box, exclude, (licence, origin))
BUILTIN: tuple[
    tuple[
        str,
        str,
        tuple[float, float, float, float],
        tuple[tuple[float, float, float, float], ...],
        tuple[str, str],
    ],
    ...,
] = (
    ("leuvenB.jpg", "bicycle", (138, 402, 197, 471), (), OPENCV),
    ("leuvenB.jpg", "bicycle", (200, 397, 262, 456), (), OPENCV),
    ("dog.jpg", "bicycle", (125, 135, 567, 420), ((215, 222, 306, 420), (133, 330, 215, 420)), DARKNET),
    ("person.jpg", "person", (193, 99, 277, 375), ((140, 285, 203, 345),), DARKNET),
    ("bus.jpg", "person", (45, 395, 221, 903), (), ULTRALYTICS),
    ("bus.jpg", "person", (223, 405, 339, 863), (), ULTRALYTICS),
)


def builtin_objects(folder: Path | None = None) -> tuple[list[LabelledObject], list[str]]:
    """The built-in objects whose photo is in ``folder`` (the test-asset cache by default), and the names of
    the photos that are missing."""
    where = folder or asset_cache_dir()
    objects, missing = [], []
    for name, class_name, box, exclude, (licence, origin) in BUILTIN:
        path = where / name
        if not path.is_file():
            if name not in missing:
                missing.append(name)
            continue
        objects.append(
            LabelledObject(
                image=path,
                box=box,
                class_name=class_name,
                licence=licence,
                origin=f"{origin}/{name}",
                exclude=exclude,
            )
        )
    return objects, missing
