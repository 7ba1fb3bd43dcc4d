"""A camera's perspective as object height against where the object stands: a standing person whose feet
are at image row ``y`` is ``slope * y + intercept`` pixels tall (camera native pixels).

For a camera looking down a flat street this is close to a straight line (the horizon is where it reaches
zero). It is fit on the person boxes the detector finds on the camera's own footage with RANSAC
(scikit-learn's ``RANSACRegressor``), so that sitting people, half-hidden people and wrong boxes do not bend
it; or given by hand as two reference rows (``--perspective "Y1:H1,Y2:H2"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from replay.compose.sizes import CLASSES, object_class
from replay.errors import ReplayError

BoxXYXY = tuple[float, float, float, float]

#: Person boxes needed to fit a perspective.
MIN_PERSONS = 8
#: Share of the image height the persons' feet must span for the slope to mean anything.
MIN_FOOT_SPREAD = 0.12
#: Height over width of a standing person's box.
STANDING_ASPECT = (1.4, 5.0)
#: Heights below this (pixels) are clamped: an object never shrinks to nothing near the horizon.
MIN_HEIGHT_PX = 4.0


class PerspectiveError(ReplayError):
    """The perspective cannot be fit (too few or unusable person boxes) or read."""


class PerspectiveFit(BaseModel):
    """Person height in native pixels as a linear function of the foot row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slope: float = Field(description="Pixels of person height gained per pixel the feet are lower.")
    intercept: float = Field(description="Person height (pixels) the line gives at row 0.")
    method: Literal["ransac", "manual"] = Field(description="Fit on detected persons, or given by hand.")
    persons: int = Field(ge=0, description="Standing-person boxes the fit used (0 when given by hand).")
    inliers: int = Field(ge=0, description="Boxes RANSAC kept as agreeing with the line.")
    residual_px: float = Field(ge=0, description="Median absolute error of the inliers, in pixels.")
    foot_rows: tuple[float, float] = Field(description="Lowest and highest foot row the persons stood on.")
    image_size: tuple[int, int] = Field(description="[width, height] of the native image the fit is in.")

    def person_height(self, foot_y: float) -> float:
        """A standing person's height in pixels with the feet at row ``foot_y`` (at least MIN_HEIGHT_PX)."""
        return max(MIN_HEIGHT_PX, self.slope * foot_y + self.intercept)

    def height_of(self, class_name: str, foot_y: float, ratio: float | None = None) -> float:
        """Pixel height of an object of ``class_name`` standing at ``foot_y`` (``ratio`` overrides the
        class's own height ratio)."""
        if ratio is None:
            known = object_class(class_name)
            if known is None:
                raise PerspectiveError(
                    f"no height ratio for class {class_name!r} (known: {', '.join(sorted(CLASSES))}); give "
                    "the object's height_ratio in the scenario"
                )
            ratio = known.height_ratio
        return max(MIN_HEIGHT_PX, ratio * self.person_height(foot_y))

    def describe(self) -> str:
        """One line for people: heights at the top, middle and bottom of the image."""
        rows = [0.25, 0.5, 0.75, 1.0]
        heights = ", ".join(
            f"{self.person_height(r * self.image_size[1]):.0f} px at y={r * self.image_size[1]:.0f}"
            for r in rows
        )
        source = (
            f"RANSAC on {self.persons} person boxes ({self.inliers} inliers, median error "
            f"{self.residual_px:.1f} px)"
            if self.method == "ransac"
            else "given by hand"
        )
        return f"person height {self.slope:.4f}·y + {self.intercept:.1f}: {heights}; {source}"


def standing(boxes: Sequence[BoxXYXY], image_size: tuple[int, int]) -> list[BoxXYXY]:
    """The boxes that look like whole standing persons: upright shape, not cut by the image's edges."""
    _width, height = image_size
    low, high = STANDING_ASPECT
    kept = []
    for box in boxes:
        w, h = box[2] - box[0], box[3] - box[1]
        if w <= 0 or h < 8 or not low <= h / w <= high:
            continue
        if box[1] <= 1 or box[3] >= height - 1:
            continue
        kept.append(box)
    return kept


def fit_perspective(
    boxes: Sequence[BoxXYXY],
    image_size: tuple[int, int],
    *,
    min_persons: int = MIN_PERSONS,
    seed: int = 0,
    where: str = "the footage",
) -> PerspectiveFit:
    """Fit person height against foot row on person boxes (native pixels); PerspectiveError when there are
    too few usable boxes, when their feet span too little of the image, or when the line says objects
    shrink as they come nearer."""
    from sklearn.linear_model import LinearRegression, RANSACRegressor

    persons = standing(boxes, image_size)
    hint = 'pass --perspective "Y1:H1,Y2:H2" (a person\'s height H in pixels with the feet at row Y)'
    if len(persons) < min_persons:
        raise PerspectiveError(
            f"only {len(persons)} standing person boxes seen on {where} (of {len(boxes)} person "
            f"detections; at least {min_persons} are needed to fit the perspective): use footage with more "
            f"people walking, or {hint}"
        )
    feet = np.array([[b[3]] for b in persons], np.float64)
    heights = np.array([b[3] - b[1] for b in persons], np.float64)
    spread = float(feet.max() - feet.min())
    if spread < MIN_FOOT_SPREAD * image_size[1]:
        raise PerspectiveError(
            f"the {len(persons)} persons seen on {where} stand within {spread:.0f} px of height (rows "
            f"{feet.min():.0f}..{feet.max():.0f} of {image_size[1]}): too narrow a band to fit a "
            f"perspective; {hint}"
        )
    threshold = max(2.0, 0.15 * float(np.median(heights)))
    ransac = RANSACRegressor(
        estimator=LinearRegression(), residual_threshold=threshold, random_state=seed, max_trials=500
    )
    ransac.fit(feet, heights)
    slope = float(ransac.estimator_.coef_[0])
    intercept = float(ransac.estimator_.intercept_)
    inliers = np.asarray(ransac.inlier_mask_, bool)
    if slope <= 0:
        raise PerspectiveError(
            f"the persons seen on {where} do not get taller lower in the image (slope {slope:.4f}): the "
            f"boxes are too few or too noisy to fit; {hint}"
        )
    residuals = np.abs(heights[inliers] - (slope * feet[inliers, 0] + intercept))
    return PerspectiveFit(
        slope=slope,
        intercept=intercept,
        method="ransac",
        persons=len(persons),
        inliers=int(inliers.sum()),
        residual_px=round(float(np.median(residuals)), 3),
        foot_rows=(float(feet.min()), float(feet.max())),
        image_size=image_size,
    )


def manual_perspective(text: str, image_size: tuple[int, int]) -> PerspectiveFit:
    """A perspective from ``"Y1:H1,Y2:H2"``: a person H1 px tall with the feet at row Y1, H2 px at Y2."""
    try:
        points = [tuple(float(v) for v in part.split(":")) for part in text.split(",")]
    except ValueError:
        points = []
    if len(points) != 2 or any(len(p) != 2 for p in points):
        raise PerspectiveError(
            f"--perspective {text!r}: expected two rows as Y1:H1,Y2:H2 (person height H px with the feet "
            "at row Y), e.g. 400:60,1000:220"
        )
    (y1, h1), (y2, h2) = points
    if y1 == y2 or h1 <= 0 or h2 <= 0:
        raise PerspectiveError(f"--perspective {text!r}: two different rows with positive heights needed")
    slope = (h2 - h1) / (y2 - y1)
    return PerspectiveFit(
        slope=slope,
        intercept=h1 - slope * y1,
        method="manual",
        persons=0,
        inliers=0,
        residual_px=0.0,
        foot_rows=(min(y1, y2), max(y1, y2)),
        image_size=image_size,
    )
