"""Label class names → Gridwatch object kinds, so that labels and detections meet on one vocabulary.

Labels are matched to detections by kind (:class:`~gridwatch.detections.ObjectKind`), never by class name:
a labelled ``scooter`` is found by a detection of kind ``two_wheeler`` whatever the model calls it.

Defaults (:data:`DEFAULT_LABEL_KINDS`): bicycle, scooter, motorcycle, e-bike, tricycle → two_wheeler;
person, pedestrian, cyclist, rider → person; table, chair, umbrella, goods, rack, stall, A-board →
trading_object (produce too: a vendor's vegetables or fruit); car, bus, truck, van, vehicle → vehicle.

``cyclist`` is a *person*: in VOC-style street data sets (the team's photos among them) a cyclist box
frames the rider, and the bicycle under them has a box of its own; COCO models see the same: a person and a
bicycle. Counting a cyclist as a two-wheeler would ask the model for a second two-wheeler box the size of a
person.

Names are compared case-, space-, hyphen- and underscore-blind (``A-board`` = ``a_board`` = ``aboard``).
A label class mapped to ``other``, or not mapped at all, is not evaluated (the report lists the latter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gridwatch.detections import ObjectKind

#: The kinds a label can be evaluated as (``other`` is everything a model knows that the rules do not use).
EVALUATED_KINDS: tuple[ObjectKind, ...] = (
    ObjectKind.TWO_WHEELER,
    ObjectKind.PERSON,
    ObjectKind.TRADING_OBJECT,
    ObjectKind.VEHICLE,
)

_TWO = ObjectKind.TWO_WHEELER
_PERSON = ObjectKind.PERSON
_TRADING = ObjectKind.TRADING_OBJECT
_VEHICLE = ObjectKind.VEHICLE

DEFAULT_LABEL_KINDS: dict[str, ObjectKind] = {
    **dict.fromkeys(
        ("bicycle", "bike", "scooter", "e-scooter", "motorcycle", "motorbike", "moped", "e-bike"), _TWO
    ),
    **dict.fromkeys(("electric bicycle", "tricycle", "two-wheeler", "two_wheeler"), _TWO),
    **dict.fromkeys(("person", "pedestrian", "people", "cyclist", "rider"), _PERSON),
    **dict.fromkeys(
        ("table", "dining table", "chair", "umbrella", "parasol", "goods", "produce", "rack"), _TRADING
    ),
    **dict.fromkeys(("stall", "a-board", "sandwich board", "trading_object"), _TRADING),
    **dict.fromkeys(("car", "bus", "truck", "van", "vehicle"), _VEHICLE),
}
"""The default label class → kind mapping (see the module docstring; ``cyclist`` is a person)."""


def normalise(name: str) -> str:
    """``name`` lower-cased without spaces, hyphens or underscores: how label classes are compared."""
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


class LabelKindMap(BaseModel):
    """What each label class means to Gridwatch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[str, ObjectKind] = Field(
        description="Label class name to object kind (compared case-, space-, hyphen- and underscore-blind)."
    )

    def kind_of(self, label: str) -> ObjectKind | None:
        """The kind of label class ``label``; None when the map does not name it."""
        return self._normalised().get(normalise(label))

    def _normalised(self) -> dict[str, ObjectKind]:
        return {normalise(name): kind for name, kind in self.kinds.items()}

    def updated(self, overrides: Mapping[str, ObjectKind]) -> LabelKindMap:
        """This map with ``overrides`` added or replacing entries of the same (normalised) name."""
        replaced = {normalise(name) for name in overrides}
        kept = {name: kind for name, kind in self.kinds.items() if normalise(name) not in replaced}
        return LabelKindMap(kinds={**kept, **overrides})

    def evaluated_kinds(self, labels: Iterable[str]) -> tuple[ObjectKind, ...]:
        """The evaluated kinds that ``labels`` (a data set's class names) stand for, in the usual order."""
        present = {self.kind_of(label) for label in labels}
        return tuple(kind for kind in EVALUATED_KINDS if kind in present)


class ClassMapFileError(ValueError):
    """A ``--class-map`` file that cannot be read; the message names the file and the entry."""


def default_label_kinds() -> LabelKindMap:
    """The default mapping (:data:`DEFAULT_LABEL_KINDS`)."""
    return LabelKindMap(kinds=DEFAULT_LABEL_KINDS)


def load_label_kinds(path: Path) -> LabelKindMap:
    """The default mapping updated with ``path``: a YAML or JSON mapping ``label class: kind`` (``other``
    excludes a class from the evaluation)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ClassMapFileError(f"{path}: cannot read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ClassMapFileError(f"{path}:{where}: not YAML/JSON: {error}") from None
    if not isinstance(document, dict):
        raise ClassMapFileError(
            f"{path}: expected a mapping `label class: kind`, got {type(document).__name__}"
        )
    kinds = ", ".join(kind.value for kind in ObjectKind)
    overrides: dict[str, ObjectKind] = {}
    for name, kind in document.items():
        try:
            overrides[str(name)] = LabelKindMap.model_validate({"kinds": {str(name): kind}}).kinds[str(name)]
        except ValidationError:
            raise ClassMapFileError(f"{path}: {name!r}: {kind!r} is not a kind ({kinds})") from None
    return default_label_kinds().updated(overrides)
