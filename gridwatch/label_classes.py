"""The classes a labelled example's boxes may have: the three an incident's rule gives its boxes, and
the finer ones people set on the box-labelling page (电动自行车, 三轮车, 摊位, 货架 ...), each with the
object kind the rules know it as. One list, in one order: its index is the class id of every YOLO export
and trained model."""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.detections import ObjectKind


@dataclass(frozen=True, slots=True)
class LabelClass:
    """A class of labelled boxes: its name in exports, its name for people, its kind for the rules."""

    name: str
    title: str
    kind: ObjectKind


_TW, _TR, _P = ObjectKind.TWO_WHEELER, ObjectKind.TRADING_OBJECT, ObjectKind.PERSON

LABEL_CLASSES: tuple[LabelClass, ...] = (
    # what an incident's rule says of its boxes (labels from cases and replays)
    LabelClass("two_wheeler", "非机动车", _TW),
    LabelClass("trading_object", "经营物品", _TR),
    LabelClass("vendor", "流动摊贩", _TR),
    # finer, set by people on the box-labelling page
    LabelClass("e_bike", "电动自行车", _TW),
    LabelClass("bicycle", "自行车", _TW),
    LabelClass("motorcycle", "摩托车", _TW),
    LabelClass("tricycle", "三轮车", _TW),
    LabelClass("shared_bike", "共享单车", _TW),
    LabelClass("stall", "摊位", _TR),
    LabelClass("goods", "货物", _TR),
    LabelClass("rack", "货架", _TR),
    LabelClass("umbrella", "遮阳伞", _TR),
    LabelClass("table", "桌子", _TR),
    LabelClass("chair", "椅子", _TR),
    LabelClass("a_board", "广告牌", _TR),
    LabelClass("vendor_cart", "摊车", _TR),
    LabelClass("person", "行人", _P),
)

LABEL_CLASS_NAMES: tuple[str, ...] = tuple(c.name for c in LABEL_CLASSES)
KIND_OF_LABEL_CLASS: dict[str, ObjectKind] = {c.name: c.kind for c in LABEL_CLASSES}
