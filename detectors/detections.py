"""`Detections`: one frame's boxes, classes, scores and track ids, the value every detector stage passes on.

Arrays are read-only numpy arrays in the frame's own pixel coordinates::

    xyxy      float32 (N, 4)   x1, y1, x2, y2 with x1 <= x2 and y1 <= y2
    class_id  int64   (N,)     index into class_names
    score     float32 (N,)     confidence in [0, 1]
    track_id  int64   (N,)     tracker id, NO_TRACK (-1) until a tracker assigns one

The message form, one dict per detection, is what travels on ``gw.detections`` (it validates as
:class:`gridwatch.messages.detections.Detection`; an untracked detection has ``track_id`` None)::

    {"box": [x1, y1, x2, y2], "class_id": 0, "class_name": "person", "kind": "person",
     "score": 0.73, "track_id": None}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from detectors.class_map import ClassMap, ObjectKind

NO_TRACK = -1
"""Track id of a detection that no tracker has claimed."""


class DetectionMessage(TypedDict):
    """One detection as it travels in messages (JSON-compatible)."""

    box: list[float]
    class_id: int
    class_name: str
    kind: str
    score: float
    track_id: int | None


def _untracked() -> NDArray[np.int64]:
    return np.zeros(0, np.int64)


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    frozen = np.array(array, copy=True, order="C")
    frozen.setflags(write=False)
    return frozen


def _vector(value: ArrayLike, count: int, name: str) -> NDArray[Any]:
    array = np.asarray(value)
    if array.size == 0:
        array = array.reshape(0)
    if array.shape != (count,):
        raise ValueError(f"{name} must have shape ({count},), got {array.shape}")
    return array


@dataclass(frozen=True, slots=True, eq=False)
class Detections:
    """One frame's detections. Construct with any array-likes: they are validated, converted and frozen.

    Leave ``track_id`` out (or pass an empty array) for detections that no tracker has seen yet.
    """

    xyxy: NDArray[np.float32]
    class_id: NDArray[np.int64]
    score: NDArray[np.float32]
    class_names: tuple[str, ...]
    track_id: NDArray[np.int64] = field(default_factory=_untracked)

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32)
        if xyxy.size == 0:
            xyxy = xyxy.reshape(0, 4)
        if xyxy.ndim != 2 or xyxy.shape[1] != 4:
            raise ValueError(f"xyxy must have shape (N, 4), got {xyxy.shape}")
        count = xyxy.shape[0]
        class_id = _vector(self.class_id, count, "class_id")
        score = _vector(self.score, count, "score").astype(np.float32)
        track = np.asarray(self.track_id)
        track = np.full(count, NO_TRACK, np.int64) if track.size == 0 else _vector(track, count, "track_id")
        for name, ids in (("class_id", class_id), ("track_id", track)):
            if ids.size and not np.issubdtype(ids.dtype, np.integer):
                raise TypeError(f"{name} must be integers, got {ids.dtype}")
        if not np.all(np.isfinite(xyxy)):
            raise ValueError("xyxy must be finite")
        if np.any(xyxy[:, 2] < xyxy[:, 0]) or np.any(xyxy[:, 3] < xyxy[:, 1]):
            raise ValueError("boxes must have x1 <= x2 and y1 <= y2")
        if not np.all(np.isfinite(score)) or np.any(score < 0.0) or np.any(score > 1.0):
            raise ValueError("scores must lie in [0, 1]")
        names = tuple(self.class_names)
        if class_id.size and (class_id.min() < 0 or class_id.max() >= len(names)):
            raise ValueError(f"class ids must index class_names (0..{len(names) - 1})")
        object.__setattr__(self, "xyxy", _frozen(xyxy))
        object.__setattr__(self, "class_id", _frozen(class_id.astype(np.int64)))
        object.__setattr__(self, "score", _frozen(score))
        object.__setattr__(self, "track_id", _frozen(track.astype(np.int64)))
        object.__setattr__(self, "class_names", names)

    # --- construction --------------------------------------------------------------------------------------
    @classmethod
    def empty(cls, class_names: Sequence[str]) -> Detections:
        """No detections, for a model with ``class_names``."""
        return cls(
            xyxy=np.zeros((0, 4), np.float32),
            class_id=np.zeros(0, np.int64),
            score=np.zeros(0, np.float32),
            class_names=tuple(class_names),
        )

    @classmethod
    def from_messages(cls, messages: Sequence[Mapping[str, Any]], class_names: Sequence[str]) -> Detections:
        """Rebuild from message dicts; each ``class_name`` must agree with ``class_names[class_id]``."""
        names = tuple(class_names)
        for message in messages:
            class_id = int(message["class_id"])
            if not 0 <= class_id < len(names) or names[class_id] != message["class_name"]:
                raise ValueError(f"class {class_id}/{message['class_name']!r} does not match the class names")
        if not messages:
            return cls.empty(names)
        return cls(
            xyxy=np.array([m["box"] for m in messages], np.float32),
            class_id=np.array([m["class_id"] for m in messages], np.int64),
            score=np.array([m["score"] for m in messages], np.float32),
            class_names=names,
            track_id=np.array(
                [NO_TRACK if m.get("track_id") is None else m["track_id"] for m in messages], np.int64
            ),
        )

    # --- reading -------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.xyxy.shape[0])

    @property
    def names(self) -> list[str]:
        """The class name of each detection."""
        return [self.class_names[i] for i in self.class_id.tolist()]

    @property
    def area(self) -> NDArray[np.float32]:
        """Box areas in square pixels."""
        return (self.xyxy[:, 2] - self.xyxy[:, 0]) * (self.xyxy[:, 3] - self.xyxy[:, 1])

    @property
    def bottom_centre(self) -> NDArray[np.float32]:
        """(N, 2) bottom-centre points, where an object stands (the point zones are tested on)."""
        return np.stack([(self.xyxy[:, 0] + self.xyxy[:, 2]) / 2, self.xyxy[:, 3]], axis=1)

    def kinds(self, class_map: ClassMap) -> list[ObjectKind]:
        """The object kind of each detection under ``class_map``."""
        return class_map.kinds_of(self.names)

    # --- deriving ------------------------------------------------------------------------------------------
    def select(self, index: ArrayLike) -> Detections:
        """The detections picked by a boolean mask or an integer index array (in that order)."""
        picked = np.asarray(index)
        if picked.dtype == np.bool_ and picked.shape != (len(self),):
            raise ValueError(f"mask must have shape ({len(self)},), got {picked.shape}")
        return Detections(
            xyxy=self.xyxy[picked].reshape(-1, 4),
            class_id=self.class_id[picked].reshape(-1),
            score=self.score[picked].reshape(-1),
            class_names=self.class_names,
            track_id=self.track_id[picked].reshape(-1),
        )

    def with_min_score(self, min_score: float) -> Detections:
        """Only the detections scoring at least ``min_score``."""
        return self.select(self.score >= min_score)

    def of_kinds(self, class_map: ClassMap, *kinds: ObjectKind) -> Detections:
        """Only the detections whose class maps to one of ``kinds``."""
        wanted = set(kinds)
        return self.select(np.array([k in wanted for k in self.kinds(class_map)], dtype=bool).reshape(-1))

    def with_track_ids(self, track_id: ArrayLike) -> Detections:
        """The same detections carrying ``track_id``."""
        return Detections(
            xyxy=self.xyxy,
            class_id=self.class_id,
            score=self.score,
            class_names=self.class_names,
            track_id=np.asarray(track_id, np.int64),
        )

    # --- messages ------------------------------------------------------------------------------------------
    def to_messages(self, class_map: ClassMap) -> list[DetectionMessage]:
        """One JSON-compatible dict per detection: boxes to 0.1 px, scores to 1e-4, untracked as None."""
        kinds = self.kinds(class_map)
        return [
            DetectionMessage(
                box=[round(float(v), 1) for v in box],
                class_id=int(class_id),
                class_name=self.class_names[int(class_id)],
                kind=str(kind),
                score=round(float(score), 4),
                track_id=None if track == NO_TRACK else int(track),
            )
            for box, class_id, score, track, kind in zip(
                self.xyxy.tolist(),
                self.class_id.tolist(),
                self.score.tolist(),
                self.track_id.tolist(),
                kinds,
                strict=True,
            )
        ]
