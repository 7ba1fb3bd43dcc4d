"""What a model's class names mean to Gridwatch: each class maps to one :class:`ObjectKind` the rules use.

The rules never look at model class names; they look at kinds (:class:`ObjectKind`, the vocabulary of the
``gw.detections`` messages, re-exported here). A custom model with classes such as
``ebike``, ``stall`` or ``goods`` plugs in by shipping its own :class:`ClassMap` (in its model entry or in
configuration), e.g. ``ClassMap(kinds={"ebike": "two_wheeler", "stall": "trading_object"})``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from gridwatch.detections import ObjectKind

__all__ = ["COCO_KINDS", "ClassMap", "ObjectKind", "coco_class_map"]


class ClassMap(BaseModel):
    """Model class name → Gridwatch object kind, for one model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[str, ObjectKind] = Field(
        description="Model class name to object kind; a class not listed here maps to `default`.",
    )
    default: ObjectKind = Field(
        default=ObjectKind.OTHER,
        description="Object kind of every class that `kinds` does not list.",
    )

    def kind_of(self, class_name: str) -> ObjectKind:
        """The kind of one model class."""
        return self.kinds.get(class_name, self.default)

    def kinds_of(self, class_names: Iterable[str]) -> list[ObjectKind]:
        """The kinds of several model classes, in order."""
        return [self.kind_of(name) for name in class_names]

    def classes_of(self, kind: ObjectKind, class_names: Sequence[str]) -> list[str]:
        """Which of ``class_names`` (a model's classes) map to ``kind``."""
        return [name for name in class_names if self.kind_of(name) is kind]


COCO_KINDS: dict[str, ObjectKind] = {
    "bicycle": ObjectKind.TWO_WHEELER,
    "motorcycle": ObjectKind.TWO_WHEELER,
    "person": ObjectKind.PERSON,
    "car": ObjectKind.VEHICLE,
    "bus": ObjectKind.VEHICLE,
    "truck": ObjectKind.VEHICLE,
    # What a shop or vendor puts on the sidewalk. Deliberately NOT here: "bench" (fixed street furniture, it
    # would look like a permanent stall), "backpack" and "handbag" (carried by passers-by), "dining table"'s
    # indoor cousins (bed, toilet...).
    "umbrella": ObjectKind.TRADING_OBJECT,
    "chair": ObjectKind.TRADING_OBJECT,
    "couch": ObjectKind.TRADING_OBJECT,
    "dining table": ObjectKind.TRADING_OBJECT,
    "potted plant": ObjectKind.TRADING_OBJECT,
    "suitcase": ObjectKind.TRADING_OBJECT,
}
"""The default mapping for COCO-80 models (classes not listed are `other`)."""


@lru_cache(maxsize=1)
def coco_class_map() -> ClassMap:
    """The class map of COCO-80 models."""
    return ClassMap(kinds=COCO_KINDS)
