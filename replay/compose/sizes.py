"""How tall each kind of object stands next to a person, and which object kind the rules see it as (its
evaluation kind: a rule watching that kind is offended by it).

A camera's perspective gives a standing person's height in pixels at each foot row
(:mod:`replay.compose.perspective`); an object standing at the same row is that height times its ratio here.
The ratios are typical real heights over an adult's 1.70 m:

==============  ========  =================================================
class           ratio     typical height
==============  ========  =================================================
bicycle         0.60      1.0 m (saddle and handlebar)
scooter, ebike  0.65      1.1 m (Chinese e-bike / moped with its front shield)
motorcycle      0.68      1.15 m
person          1.00      1.70 m
chair           0.50      0.85 m
dining table    0.44      0.75 m (a table on the sidewalk)
umbrella        1.30      2.2 m (a market or café umbrella, open)
potted plant    0.35      0.6 m
suitcase        0.38      0.65 m
goods, rack     0.70      1.2 m (a display rack or stacked goods)
produce         0.29      0.5 m (a vendor's vegetables or fruit piled on the pavement)
a_board         0.53      0.9 m (a sandwich board in front of a shop)
stall, cart     0.95      1.6 m
wheelie_bin     0.59      1.0 m (a household bin put out on the pavement)
garbage_can     0.53      0.9 m (a metal dustbin with its lid, a street litter bin)
compost_bin     0.53      0.9 m
post_box        0.82      1.4 m (a pillar box)
mailbox         0.74      1.25 m (a US collection box on its legs)
traffic_cone    0.44      0.75 m (a road cone)
==============  ========  =================================================

The street furniture at the end (kind ``other``: no rule watches it) is what the composer puts down as
*decoys*: things that stand in a zone for long and are no offence. A rule that counts anything standing
still (storefront trading on static foreground) raises a false incident on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors.class_map import COCO_KINDS
from gridwatch.detections import ObjectKind

#: The height of the adult the ratios are relative to, in metres (informative).
PERSON_HEIGHT_M = 1.70


@dataclass(frozen=True, slots=True)
class ObjectClass:
    """A class of placeable object: the kind the rules see it as, and its height next to a person."""

    name: str
    kind: ObjectKind
    height_ratio: float


def _entry(name: str, kind: ObjectKind, metres: float) -> tuple[str, ObjectClass]:
    return name, ObjectClass(name, kind, round(metres / PERSON_HEIGHT_M, 2))


CLASSES: dict[str, ObjectClass] = dict(
    [
        _entry("bicycle", ObjectKind.TWO_WHEELER, 1.02),
        _entry("scooter", ObjectKind.TWO_WHEELER, 1.1),
        _entry("ebike", ObjectKind.TWO_WHEELER, 1.1),
        _entry("motorcycle", ObjectKind.TWO_WHEELER, 1.15),
        _entry("person", ObjectKind.PERSON, PERSON_HEIGHT_M),
        _entry("chair", ObjectKind.TRADING_OBJECT, 0.85),
        _entry("dining table", ObjectKind.TRADING_OBJECT, 0.75),
        _entry("table", ObjectKind.TRADING_OBJECT, 0.75),
        _entry("umbrella", ObjectKind.TRADING_OBJECT, 2.2),
        _entry("potted plant", ObjectKind.TRADING_OBJECT, 0.6),
        _entry("suitcase", ObjectKind.TRADING_OBJECT, 0.65),
        _entry("couch", ObjectKind.TRADING_OBJECT, 0.85),
        _entry("goods", ObjectKind.TRADING_OBJECT, 1.2),
        _entry("produce", ObjectKind.TRADING_OBJECT, 0.5),
        _entry("rack", ObjectKind.TRADING_OBJECT, 1.2),
        _entry("a_board", ObjectKind.TRADING_OBJECT, 0.9),
        _entry("stall", ObjectKind.TRADING_OBJECT, 1.6),
        _entry("cart", ObjectKind.TRADING_OBJECT, 1.6),
        _entry("wheelie_bin", ObjectKind.OTHER, 1.0),
        _entry("garbage_can", ObjectKind.OTHER, 0.9),
        _entry("compost_bin", ObjectKind.OTHER, 0.9),
        _entry("post_box", ObjectKind.OTHER, 1.4),
        _entry("mailbox", ObjectKind.OTHER, 1.25),
        _entry("traffic_cone", ObjectKind.OTHER, 0.75),
    ]
)
#: The kind of a decoy: street furniture no rule watches.
DECOY_KIND = ObjectKind.OTHER


def object_class(name: str) -> ObjectClass | None:
    """The placeable class of a label name (case and ``-``/``_`` insensitive), or None if unknown."""
    key = name.strip().lower().replace("-", " ").replace("_", " ")
    for candidate in (key, key.replace(" ", "_")):
        if candidate in CLASSES:
            return CLASSES[candidate]
    return None


def kind_of(name: str) -> ObjectKind:
    """The object kind of a label name: from :data:`CLASSES`, else the COCO map, else ``other``."""
    known = object_class(name)
    if known is not None:
        return known.kind
    return COCO_KINDS.get(name.strip().lower(), ObjectKind.OTHER)
