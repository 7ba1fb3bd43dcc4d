"""`Detections`: one frame's objects, the one value that travels from a model backend to the rules.

As supervision's ``Detections``: parallel, read-only columns, one row per object, in the pixels of the frame
they were found on::

    xyxy        float32 (N, 4)  x1, y1, x2, y2 with x1 <= x2 and y1 <= y2
    score       float32 (N,)    confidence in [0, 1] (1 for model-free signals)
    class_id    int64   (N,)    index in the model's class list; MODEL_FREE (-1) for a model-free signal
    class_name  tuple of N str  the model's name for the class (``static_foreground`` for that signal)
    kind        tuple of N ObjectKind  Gridwatch's own vocabulary, which the rules read
    appearance  uint8   (N, K)  a colour signature of each box's pixels (K = 0: none; an all-zero row:
                                unknown), so the rules can tell one parked bike from the next one there
    stood_s     float32 (N,)    seconds the object had already stood still when this frame was taken, as
                                a model-free signal measured it (static foreground); 0 where unmeasured

The backends build it (:meth:`Detections.of_classes`), the detector worker adds model-free signals
(:meth:`Detections.merge`) and evidence, ``gw.detections`` carries it (one encode/decode, in
:mod:`gridwatch.messages.detections`), and the rules read it in the camera's native pixels (:meth:`scaled`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


class ObjectKind(StrEnum):
    """Gridwatch's own object vocabulary, independent of a model's class list."""

    TWO_WHEELER = "two_wheeler"
    PERSON = "person"
    TRADING_OBJECT = "trading_object"
    VEHICLE = "vehicle"
    OTHER = "other"


#: ``class_name`` of boxes from the model-free static-foreground signal (regions that became still).
STATIC_FOREGROUND_CLASS = "static_foreground"

#: ``class_id`` of a detection no model produced (a model-free signal such as static foreground).
MODEL_FREE = -1


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    frozen = np.array(array, copy=True, order="C")
    frozen.setflags(write=False)
    return frozen


def _column(value: ArrayLike, count: int, name: str, dtype: type[np.generic]) -> NDArray[Any]:
    array = np.asarray(value)
    if array.size == 0:
        array = array.reshape(0)
    if array.shape != (count,):
        raise ValueError(f"{name} must have shape ({count},), got {array.shape}")
    if dtype is np.int64 and array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must be integers, got {array.dtype}")
    return array.astype(dtype)


@dataclass(frozen=True, slots=True, eq=False)
class Detections:
    """One frame's detections. Construct with any array-likes: they are validated, converted and frozen."""

    xyxy: NDArray[np.float32]
    score: NDArray[np.float32]
    class_id: NDArray[np.int64]
    class_name: tuple[str, ...]
    kind: tuple[ObjectKind, ...]
    appearance: NDArray[np.uint8] | None = None
    stood_s: NDArray[np.float32] | None = None

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32)
        if xyxy.size == 0:
            xyxy = xyxy.reshape(0, 4)
        if xyxy.ndim != 2 or xyxy.shape[1] != 4:
            raise ValueError(f"xyxy must have shape (N, 4), got {xyxy.shape}")
        count = xyxy.shape[0]
        score = _column(self.score, count, "score", np.float32)
        class_id = _column(self.class_id, count, "class_id", np.int64)
        names = tuple(str(name) for name in self.class_name)
        kinds = tuple(ObjectKind(kind) for kind in self.kind)
        if len(names) != count or len(kinds) != count:
            raise ValueError(
                f"class_name and kind must have {count} entries, got {len(names)} and {len(kinds)}"
            )
        if not np.all(np.isfinite(xyxy)):
            raise ValueError("xyxy must be finite")
        if np.any(xyxy[:, 2] < xyxy[:, 0]) or np.any(xyxy[:, 3] < xyxy[:, 1]):
            raise ValueError("boxes must have x1 <= x2 and y1 <= y2")
        if not np.all(np.isfinite(score)) or np.any(score < 0.0) or np.any(score > 1.0):
            raise ValueError("scores must lie in [0, 1]")
        if np.any(class_id < MODEL_FREE):
            raise ValueError(f"class ids must be >= 0, or {MODEL_FREE} for a model-free signal")
        if any(not name for name in names):
            raise ValueError("class names must not be empty")
        looks = np.zeros((count, 0), np.uint8) if self.appearance is None else np.asarray(self.appearance)
        if looks.ndim != 2 or looks.shape[0] != count:
            raise ValueError(f"appearance must have shape ({count}, K), got {looks.shape}")
        if looks.dtype != np.uint8:
            raise TypeError(f"appearance must be uint8, got {looks.dtype}")
        stood = (
            np.zeros(count, np.float32)
            if self.stood_s is None
            else _column(self.stood_s, count, "stood_s", np.float32)
        )
        if not np.all(np.isfinite(stood)) or np.any(stood < 0.0):
            raise ValueError("stood_s must be finite and >= 0")
        object.__setattr__(self, "appearance", _frozen(looks))
        object.__setattr__(self, "stood_s", _frozen(stood))
        object.__setattr__(self, "xyxy", _frozen(xyxy))
        object.__setattr__(self, "score", _frozen(score))
        object.__setattr__(self, "class_id", _frozen(class_id))
        object.__setattr__(self, "class_name", names)
        object.__setattr__(self, "kind", kinds)

    # --- construction --------------------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> Detections:
        """No detections."""
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), (), ())

    @property
    def looks(self) -> NDArray[np.uint8]:
        """The (N, K) appearance signatures (K = 0 when none was computed)."""
        assert self.appearance is not None  # set by __post_init__
        return self.appearance

    @property
    def stood(self) -> NDArray[np.float32]:
        """The (N,) seconds each object had stood still (0 where no signal measured it)."""
        assert self.stood_s is not None  # set by __post_init__
        return self.stood_s

    def with_appearance(self, appearance: NDArray[np.uint8]) -> Detections:
        """The same detections with these (N, K) appearance signatures."""
        return Detections(
            self.xyxy, self.score, self.class_id, self.class_name, self.kind, appearance, self.stood_s
        )

    @classmethod
    def of_classes(
        cls,
        xyxy: ArrayLike,
        score: ArrayLike,
        class_id: ArrayLike,
        class_names: Sequence[str],
        class_kinds: Sequence[ObjectKind],
    ) -> Detections:
        """A model's output: each ``class_id`` indexes the model's ``class_names`` and ``class_kinds``."""
        ids = np.asarray(class_id).reshape(-1)
        if len(class_names) != len(class_kinds):
            raise ValueError(f"{len(class_names)} class names but {len(class_kinds)} kinds")
        if ids.size and (ids.min() < 0 or ids.max() >= len(class_names)):
            raise ValueError(f"class ids must index the class names (0..{len(class_names) - 1})")
        listed = ids.astype(np.int64).tolist()
        return cls(
            np.asarray(xyxy, np.float32),
            np.asarray(score, np.float32),
            ids,
            tuple(class_names[i] for i in listed),
            tuple(class_kinds[i] for i in listed),
        )

    @classmethod
    def model_free(
        cls,
        xyxy: ArrayLike,
        class_name: str,
        kind: ObjectKind,
        score: ArrayLike | None = None,
        stood_s: ArrayLike | None = None,
    ) -> Detections:
        """Boxes of a model-free signal: class id :data:`MODEL_FREE`, one name and kind for all, the
        signal's own strength as the score (1 when it has none) and, where it measures it, how long each
        object had stood still."""
        boxes = np.asarray(xyxy, np.float32).reshape(-1, 4)
        count = boxes.shape[0]
        return cls(
            boxes,
            np.ones(count, np.float32) if score is None else np.asarray(score, np.float32).reshape(-1),
            np.full(count, MODEL_FREE, np.int64),
            (class_name,) * count,
            (kind,) * count,
            None,
            None if stood_s is None else np.asarray(stood_s, np.float32).reshape(-1),
        )

    @classmethod
    def merge(cls, parts: Sequence[Detections]) -> Detections:
        """Every detection of ``parts``, in order."""
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        width = max(part.looks.shape[1] for part in parts)
        looks = [  # parts without signatures get unknown (all-zero) rows
            part.looks if part.looks.shape[1] == width else np.zeros((len(part), width), np.uint8)
            for part in parts
        ]
        return cls(
            np.concatenate([part.xyxy for part in parts]),
            np.concatenate([part.score for part in parts]),
            np.concatenate([part.class_id for part in parts]),
            tuple(name for part in parts for name in part.class_name),
            tuple(kind for part in parts for kind in part.kind),
            np.concatenate(looks),
            np.concatenate([part.stood for part in parts]),
        )

    # --- reading -------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.xyxy.shape[0])

    @property
    def area(self) -> NDArray[np.float32]:
        """Box areas in square pixels."""
        return (self.xyxy[:, 2] - self.xyxy[:, 0]) * (self.xyxy[:, 3] - self.xyxy[:, 1])

    @property
    def bottom_centre(self) -> NDArray[np.float32]:
        """(N, 2) bottom-centre points, where an object stands (the point zones are tested on)."""
        return np.stack([(self.xyxy[:, 0] + self.xyxy[:, 2]) / 2, self.xyxy[:, 3]], axis=1)

    @property
    def model_free_mask(self) -> NDArray[np.bool_]:
        """True for detections of a model-free signal (static foreground), which no score threshold drops."""
        return np.asarray(self.class_id == MODEL_FREE)

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """The boxes as tuples of Python floats."""
        return [(x1, y1, x2, y2) for x1, y1, x2, y2 in self.xyxy.tolist()]

    def __repr__(self) -> str:
        rows = ", ".join(
            f"{kind.value}/{name} {score:.2f} {[round(v, 1) for v in box]}"
            for box, score, name, kind in zip(
                self.xyxy.tolist(), self.score.tolist(), self.class_name, self.kind, strict=True
            )
        )
        return f"Detections({len(self)}: {rows})"

    def __eq__(self, other: object) -> bool:
        """Equal when every column is equal (as supervision's ``Detections``)."""
        if not isinstance(other, Detections):
            return NotImplemented
        return (
            self.class_name == other.class_name
            and self.kind == other.kind
            and np.array_equal(self.xyxy, other.xyxy)
            and np.array_equal(self.score, other.score)
            and np.array_equal(self.class_id, other.class_id)
            and np.array_equal(self.looks, other.looks)
            and np.array_equal(self.stood, other.stood)
        )

    __hash__ = None  # type: ignore[assignment]  # a value of arrays: equal, never hashed

    # --- deriving ------------------------------------------------------------------------------------------
    def select(self, index: ArrayLike) -> Detections:
        """The detections picked by a boolean mask or an integer index array (in that order)."""
        picked = np.asarray(index)
        if picked.dtype == np.bool_:
            if picked.shape != (len(self),):
                raise ValueError(f"mask must have shape ({len(self)},), got {picked.shape}")
            rows = np.flatnonzero(picked)
        else:
            rows = picked.astype(np.int64).reshape(-1)
        listed = rows.tolist()
        return Detections(
            self.xyxy[rows].reshape(-1, 4),
            self.score[rows].reshape(-1),
            self.class_id[rows].reshape(-1),
            tuple(self.class_name[i] for i in listed),
            tuple(self.kind[i] for i in listed),
            self.looks[rows].reshape(len(listed), self.looks.shape[1]),
            self.stood[rows].reshape(-1),
        )

    def with_min_score(self, min_score: float) -> Detections:
        """The detections scoring at least ``min_score``, and every model-free one (it has no score)."""
        return self.select((self.score >= min_score) | self.model_free_mask)

    def of_kinds(self, *kinds: ObjectKind) -> Detections:
        """Only the detections of one of ``kinds``."""
        wanted = set(kinds)
        return self.select(np.array([kind in wanted for kind in self.kind], dtype=bool).reshape(-1))

    def with_min_side(self, pixels: float) -> Detections:
        """Only the boxes at least ``pixels`` wide and high."""
        sides = self.xyxy[:, 2:] - self.xyxy[:, :2]
        return self.select(np.all(sides >= pixels, axis=1))

    def shifted(self, dx: float, dy: float) -> Detections:
        """The same detections moved by (``dx``, ``dy``) pixels (from a crop's pixels to its frame's)."""
        offset = np.array([dx, dy, dx, dy], np.float32)
        return Detections(
            self.xyxy + offset,
            self.score,
            self.class_id,
            self.class_name,
            self.kind,
            self.appearance,
            self.stood_s,
        )

    def scaled(self, scale_x: float, scale_y: float) -> Detections:
        """The same detections in pixels of a frame ``scale_x`` by ``scale_y`` times the size."""
        if scale_x == 1.0 and scale_y == 1.0:
            return self
        factor = np.array([scale_x, scale_y, scale_x, scale_y], np.float32)
        return Detections(
            self.xyxy * factor,
            self.score,
            self.class_id,
            self.class_name,
            self.kind,
            self.appearance,
            self.stood_s,
        )


def look_similarity(a: ArrayLike | bytes, b: ArrayLike | bytes) -> float | None:
    """Histogram intersection of two colour signatures (byte histograms of equal length), 0 (nothing alike)
    to 1; None when either is unknown (empty or all zero)."""
    first = np.frombuffer(a, np.uint8) if isinstance(a, bytes) else np.asarray(a)
    second = np.frombuffer(b, np.uint8) if isinstance(b, bytes) else np.asarray(b)
    first, second = first.astype(np.int64).reshape(-1), second.astype(np.int64).reshape(-1)
    if first.size == 0 or first.size != second.size or not first.any() or not second.any():
        return None
    return float(np.minimum(first, second).sum()) / float(max(first.sum(), second.sum()))
