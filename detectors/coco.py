"""The 80 COCO detection classes, in the contiguous order detectors trained on COCO emit them."""

from __future__ import annotations

COCO80_CLASS_NAMES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
    "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
)  # fmt: skip

COCO90_IDS: tuple[int, ...] = (
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32,
    33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
    60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
)  # fmt: skip
"""The COCO category id (1..90) of each class of :data:`COCO80_CLASS_NAMES`, in that order.

Models trained with the TF object detection API (COCO-SSD) score the 90 ids, including 10 that COCO never
annotated (12, 26, 29, 30, 45, 66, 68, 69, 71, 83)."""


def coco90_column_classes(first_id: int = 1) -> tuple[int, ...]:
    """For score columns of COCO ids ``first_id``..90 (one per id, in id order): the COCO-80 class index of
    each column's id, or -1 for the ids COCO never annotated."""
    index_of = {coco_id: index for index, coco_id in enumerate(COCO90_IDS)}
    return tuple(index_of.get(coco_id, -1) for coco_id in range(first_id, 91))
