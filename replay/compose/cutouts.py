"""A soft-masked cut-out of one labelled object: OpenCV's GrabCut, started from the labelled box (everything
outside it is background, everything inside it possibly the object, ``exclude`` regions certainly not),
cleaned of specks and feathered so that it blends into another picture without a hard edge."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from replay.compose.labelled import BoxXYXY, LabelledObject
from replay.compose.sizes import kind_of
from replay.errors import ReplayError

Image = NDArray[np.uint8]

#: Context GrabCut sees around the box, as a share of the box size on each side.
CONTEXT = 0.25
#: A mask covering less (or more) of its box than this is a failed segmentation.
MIN_FILL, MAX_FILL = 0.2, 0.97
#: Regions smaller than this share of the mask are dropped.
MIN_PART = 0.01
#: The base of an object (its bottom rows, as a share of its height) must be this much covered by its mask.
BASE_ROWS, MIN_BASE_FILL = 0.12, 0.08
#: Longest side (pixels) of the region GrabCut works on.
WORK_SIDE = 320
#: GrabCut iterations.
ITERATIONS = 6


@dataclass(frozen=True, slots=True)
class Cutout:
    """An object cut out of a photo: BGRA pixels whose alpha is the soft mask, cropped to the labelled box;
    the object stands on the crop's bottom edge."""

    id: str
    source: LabelledObject
    rgba: Image
    fill: float  # share of the box the mask covers
    method: str = "grabcut"  # how: alpha (its own), grabcut (+see-through for a bicycle), contrast, box

    @property
    def class_name(self) -> str:
        """The object's class."""
        return self.source.class_name

    @property
    def height(self) -> int:
        """Height of the crop in pixels."""
        return int(self.rgba.shape[0])

    @property
    def width(self) -> int:
        """Width of the crop in pixels."""
        return int(self.rgba.shape[1])

    @property
    def kind(self) -> str:
        """The object kind the rules see it as."""
        return kind_of(self.class_name).value


def _grow(box: BoxXYXY, share: float, width: int, height: int) -> tuple[int, int, int, int]:
    dx, dy = (box[2] - box[0]) * share, (box[3] - box[1]) * share
    return (
        max(0, int(box[0] - dx)),
        max(0, int(box[1] - dy)),
        min(width, int(np.ceil(box[2] + dx))),
        min(height, int(np.ceil(box[3] + dy))),
    )


def _grabcut(
    roi: Image, inside: tuple[int, int, int, int], excluded: list[tuple[int, int, int, int]]
) -> Image:
    """GrabCut's hard mask (0/255) of ``roi`` with ``inside`` possibly the object, the rest background."""
    mask = np.full(roi.shape[:2], cv2.GC_BGD, np.uint8)
    x1, y1, x2, y2 = inside
    mask[y1:y2, x1:x2] = cv2.GC_PR_FGD
    for ex1, ey1, ex2, ey2 in excluded:
        mask[ey1:ey2, ex1:ex2] = cv2.GC_BGD
    background = np.zeros((1, 65), np.float64)
    foreground = np.zeros((1, 65), np.float64)
    cv2.grabCut(roi, mask, (0, 0, 0, 0), background, foreground, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    return np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)


def _clean(hard: Image) -> Image:
    closed = cv2.morphologyEx(hard, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    total = int(stats[1:, cv2.CC_STAT_AREA].sum()) if count > 1 else 0
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= MIN_PART * max(total, 1)
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def soft_mask(image: Image, box: BoxXYXY, exclude: tuple[BoxXYXY, ...] = ()) -> Image:
    """The object's mask (0..255, feathered) over the whole of ``image``; ReplayError when the box is empty.

    GrabCut runs on the box and its surroundings scaled to WORK_SIDE pixels (small boxes gain detail, large
    ones time), and the mask is scaled back."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in box)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(width, x2), min(height, y2)
    if x2 - x1 < 4 or y2 - y1 < 4:
        raise ReplayError(f"box {box} is too small or outside the {width}x{height} photo")
    cx1, cy1, cx2, cy2 = _grow((x1, y1, x2, y2), CONTEXT, width, height)
    scale = WORK_SIDE / max(cx2 - cx1, cy2 - cy1)
    roi = cv2.resize(
        image[cy1:cy2, cx1:cx2],
        (max(1, round((cx2 - cx1) * scale)), max(1, round((cy2 - cy1) * scale))),
        interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA,
    )

    def scaled(bx1: float, by1: float, bx2: float, by2: float) -> tuple[int, int, int, int]:
        return (
            max(0, int((bx1 - cx1) * scale)),
            max(0, int((by1 - cy1) * scale)),
            min(roi.shape[1], int(np.ceil((bx2 - cx1) * scale))),
            min(roi.shape[0], int(np.ceil((by2 - cy1) * scale))),
        )

    excluded = [scaled(*ex) for ex in exclude]
    hard = _clean(_grabcut(np.ascontiguousarray(roi), scaled(x1, y1, x2, y2), excluded))
    back = cv2.resize(hard, (cx2 - cx1, cy2 - cy1), interpolation=cv2.INTER_LINEAR)
    sigma = max(0.7, max(x2 - x1, y2 - y1) / 200)
    soft = cv2.GaussianBlur(back, (0, 0), sigma)
    full = np.zeros((height, width), np.uint8)
    full[cy1:cy2, cx1:cx2] = soft
    return full


#: Colours of the surroundings a pixel must differ from (Lab distance) to count as the object's.
COLOUR_DISTANCE = 18.0
#: Colour clusters that model the surroundings.
SURROUNDING_COLOURS = 6


def _colour_distance(image: Image, box: BoxXYXY) -> NDArray[np.float32] | None:
    """Inside ``box`` (clipped to the photo), each pixel's Lab distance to the nearest of the surroundings'
    main colours (k-means over a ring around the box); None when the ring is too small to say."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in box)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(width, x2), min(height, y2)
    cx1, cy1, cx2, cy2 = _grow((x1, y1, x2, y2), CONTEXT, width, height)
    lab = cv2.cvtColor(image[cy1:cy2, cx1:cx2], cv2.COLOR_BGR2LAB).astype(np.float32)
    ring = np.ones(lab.shape[:2], bool)
    ring[y1 - cy1 : y2 - cy1, x1 - cx1 : x2 - cx1] = False
    samples = lab[ring]
    if len(samples) < SURROUNDING_COLOURS * 4:
        return None
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    labels = np.zeros((len(samples), 1), np.int32)
    _compactness, _labels, centres = cv2.kmeans(
        np.ascontiguousarray(samples), SURROUNDING_COLOURS, labels, criteria, 2, cv2.KMEANS_PP_CENTERS
    )
    inside = lab[y1 - cy1 : y2 - cy1, x1 - cx1 : x2 - cx1]
    distance: NDArray[np.float32] = np.min(
        np.linalg.norm(inside[:, :, None, :] - centres[None, None, :, :], axis=3), axis=2
    ).astype(np.float32)
    return distance


def contrast_mask(image: Image, box: BoxXYXY, exclude: tuple[BoxXYXY, ...] = ()) -> Image:
    """The object's mask (0..255, feathered) inside ``box``, over the whole of ``image``: the pixels whose
    colour none of the surroundings' main colours comes near (k-means over a ring around the box, in Lab).

    The second try where GrabCut fails on a see-through bicycle: its dark tyres and frame differ from the
    wall, grass or pavement around it, and the background seen through the wheels is the surroundings'."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in box)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(width, x2), min(height, y2)
    nearest = _colour_distance(image, box)
    if nearest is None:
        return np.zeros((height, width), np.uint8)
    hard = np.where(nearest > COLOUR_DISTANCE, 255, 0).astype(np.uint8)
    for ex1, ey1, ex2, ey2 in exclude:
        hard[max(0, int(ey1) - y1) : max(0, int(ey2) - y1), max(0, int(ex1) - x1) : max(0, int(ex2) - x1)] = 0
    hard = _clean(hard)
    soft = cv2.GaussianBlur(hard, (0, 0), max(0.7, max(x2 - x1, y2 - y1) / 200))
    full = np.zeros((height, width), np.uint8)
    full[y1:y2, x1:x2] = soft
    return full


#: Classes whose frame and wheels enclose the background: GrabCut's smoothness fills those holes with it.
SEE_THROUGH = frozenset({"bicycle"})
#: Lab distance to the surroundings' colours under which a pixel inside such a mask is the background seen
#: through the object (fully transparent at half of it, kept from it on).
SEE_THROUGH_DISTANCE = 12.0


def see_through(image: Image, box: BoxXYXY, alpha: Image) -> Image:
    """``alpha`` (the crop of ``box``) with the background seen through a bicycle taken out: the pixels of
    the mask whose colour is the surroundings' (the wall between the spokes) fade to transparent."""
    distance = _colour_distance(image, box)
    if distance is None or distance.shape != alpha.shape:
        return alpha
    half = SEE_THROUGH_DISTANCE / 2
    keep = cv2.GaussianBlur(np.clip((distance - half) / half, 0.0, 1.0), (0, 0), 0.8)
    return np.asarray(alpha.astype(np.float32) * keep, np.float32).round().astype(np.uint8)


def box_mask(height: int, width: int) -> Image:
    """A feathered rounded box over a whole crop: the fallback mask where GrabCut cannot separate the object
    (thin see-through bicycles on a busy background): the object comes with a little of its surroundings."""
    hard = np.zeros((height, width), np.uint8)
    inset = max(1, round(min(height, width) * 0.04))
    radius = max(1, round(min(height, width) * 0.12))
    cv2.rectangle(hard, (inset + radius, inset), (width - 1 - inset - radius, height - 1), 255, -1)
    cv2.rectangle(hard, (inset, inset + radius), (width - 1 - inset, height - 1), 255, -1)
    for cx in (inset + radius, width - 1 - inset - radius):
        cv2.circle(hard, (cx, inset + radius), radius, 255, -1)
    return np.asarray(cv2.GaussianBlur(hard, (0, 0), max(0.8, inset / 1.5)), np.uint8)


def cut_out(obj: LabelledObject, image: Image, cutout_id: str) -> Cutout:
    """The cut-out of ``obj`` from its (already read) photo: its own transparency where it has one (BGRA);
    else GrabCut's mask (for a bicycle, with the
    background seen through it taken out: :func:`see_through`); where it covers too little or too much of
    the box, or lost the object's base (it would float above its shadow), the pixels that differ from the
    surroundings' colours (:func:`contrast_mask`); where that fails too, a soft box."""
    x1, y1, x2, y2 = (round(v) for v in obj.box)
    x1, y1 = max(0, x1), max(0, y1)
    x2, y2 = min(image.shape[1], x2), min(image.shape[0], y2)
    if image.ndim == 3 and image.shape[2] == 4:  # a picture with its own transparency: that is the mask
        own = np.ascontiguousarray(image[y1:y2, x1:x2])
        if own.size == 0 or not (own[..., 3] > 127).any():
            raise ReplayError(f"box {obj.box} of {obj.image} holds nothing opaque")
        return Cutout(cutout_id, obj, own, float((own[..., 3] > 127).mean()), "alpha")
    mask = soft_mask(image, obj.box, obj.exclude)
    crop = image[y1:y2, x1:x2]
    alpha = mask[y1:y2, x1:x2]
    fill = float((alpha > 127).mean())
    method = "grabcut"
    base = alpha[int(alpha.shape[0] * (1 - BASE_ROWS)) :]
    grounded = base.size > 0 and float((base > 127).mean()) >= MIN_BASE_FILL
    if not MIN_FILL <= fill <= MAX_FILL or not grounded:
        alpha, method = contrast_mask(image, obj.box, obj.exclude)[y1:y2, x1:x2], "contrast"
        fill = float((alpha > 127).mean())
        base = alpha[int(alpha.shape[0] * (1 - BASE_ROWS)) :]
        grounded = base.size > 0 and float((base > 127).mean()) >= MIN_BASE_FILL
    if not MIN_FILL <= fill <= MAX_FILL or not grounded:
        alpha, method = box_mask(y2 - y1, x2 - x1), "box"
        fill = float((alpha > 127).mean())
    elif method == "grabcut" and obj.class_name.strip().lower() in SEE_THROUGH:
        alpha, method = see_through(image, obj.box, alpha), "grabcut+see-through"
        fill = float((alpha > 127).mean())
    rgba = np.dstack([crop, alpha]).astype(np.uint8)
    return Cutout(cutout_id, obj, np.ascontiguousarray(rgba), fill, method)
