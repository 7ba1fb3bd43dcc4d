"""Two (or more) catalogue models as one backend, their boxes fused per frame by weighted box fusion.

An ensemble is a *model*, not a runtime: it is chosen by the pseudo-model id ``ensemble:A+B`` (e.g.
``ensemble:centernet-coco80+ssdlite-mobilenetv2-coco90``) and runs every member on whichever runtime the
choice names (``--runtime openvino`` runs both members on OpenVINO), so it composes with every runtime
instead of being one. :func:`~detectors.backends.factory.open_backend` opens each member as it would open
that model alone and wraps them in an :class:`EnsembleBackend`.

Weighted box fusion (WBF; Solovyev, Wang and Gabruseva, "Weighted boxes fusion: ensembling boxes from
different object detection models", 2019), as the paper describes it, per frame and per fusion key (the
object kind; the class name for kind ``other``):

1. every member's boxes scoring at least ``member_min_score`` go into one list, each score multiplied by
   its member's weight (``c = w * s``), sorted by ``c``, best first;
2. each box joins the first cluster whose *fused* box it overlaps by IoU > ``iou_threshold``, or opens a
   new cluster; a cluster's fused box is the ``c``-weighted average of its boxes' corners;
3. a cluster of ``T`` boxes scores ``mean(c) * min(T, N) / sum(w)`` for ``N`` members: the weighted mean
   of the members' scores where each member found the object once, and less where fewer members did
   (with equal weights, one member's box alone keeps ``1/N`` of its score);
4. fused boxes scoring at least ``score_threshold`` are kept, named by the class with the largest
   ``sum(c)`` in their cluster.

Written from the paper rather than taken from the ``ensemble-boxes`` package: that package's last release
was in 2022 and it brings pandas and numba for some forty lines of numpy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from detectors.backends.base import StagedBackend
from detectors.backends.batch_input import PreparedBatch, decode_batch
from detectors.backends.selection import ModelSelection
from detectors.class_map import ClassMap
from detectors.decoders.centernet import CenterNetDecoderConfig
from detectors.decoders.ssd import SsdDecoderConfig
from detectors.decoders.yolo import YoloDecoderConfig
from detectors.models.runnable import CenterNetOutputs, RunnableModel, SsdOutputs, YoloOutputs
from gridwatch.detections import Detections, ObjectKind

__all__ = [
    "ENSEMBLE_PREFIX",
    "EnsembleBackend",
    "EnsembleSettings",
    "RescoredBackend",
    "ensemble_id",
    "ensemble_members",
    "fuse_detections",
    "open_ensemble",
    "operating_threshold",
    "weighted_box_fusion",
]

#: Model ids starting with this name an ensemble: ``ensemble:A+B``.
ENSEMBLE_PREFIX = "ensemble:"

Selection = TypeVar("Selection", bound=ModelSelection)


class EnsembleSettings(BaseModel):
    """How an ensemble fuses its members' boxes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: tuple[float, ...] | None = Field(
        default=None,
        description="Weight of each member's scores, in member order; unset: equal weights.",
    )
    iou_threshold: float = Field(
        default=0.55,
        gt=0.0,
        lt=1.0,
        description="A box joins a cluster whose fused box it overlaps by more than this IoU "
        "(the paper's 0.55).",
    )
    member_min_score: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="Members' boxes below this score are not fused (each member is decoded down to it, "
        "below its own operating threshold, so that a box one member is sure of gains from the other's "
        "weaker box). On the team's photos 0.05, 0.1 and 0.2 differed by one or two of 27 two-wheelers; "
        "0.1 halves the boxes to fuse against 0.05.",
    )
    score_threshold: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="Fused boxes scoring below this are dropped: the ensemble's operating threshold.",
    )
    fuse_by: Literal["kind", "class"] = Field(
        default="kind",
        description="Which boxes may fuse: `kind` (same object kind, e.g. one member's bicycle with the "
        "other's motorcycle; class name for kind `other`) or `class` (same class name only).",
    )

    @model_validator(mode="after")
    def _positive_weights(self) -> EnsembleSettings:
        if self.weights is not None and (not self.weights or min(self.weights) <= 0):
            raise ValueError("weights must be positive, one per member")
        return self


# --- pseudo-model ids --------------------------------------------------------------------------------------
def ensemble_id(member_ids: Sequence[str]) -> str:
    """The pseudo-model id of an ensemble of ``member_ids``: ``ensemble:A+B``."""
    return ENSEMBLE_PREFIX + "+".join(member_ids)


def ensemble_members(model_id: str) -> tuple[str, ...] | None:
    """The member ids of ``ensemble:A+B``; None for any other model id; ValueError for a malformed one."""
    if not model_id.startswith(ENSEMBLE_PREFIX):
        return None
    members = tuple(part.strip() for part in model_id[len(ENSEMBLE_PREFIX) :].split("+"))
    if len(members) < 2 or not all(members):
        raise ValueError(f"an ensemble id names two or more models, as ensemble:A+B; got {model_id!r}")
    if len(set(members)) != len(members):
        raise ValueError(f"an ensemble's members must differ; got {model_id!r}")
    return members


# --- members decoded at another score threshold ------------------------------------------------------------
def _decoder_config(model: RunnableModel) -> CenterNetDecoderConfig | SsdDecoderConfig | YoloDecoderConfig:
    decoder = model.decoder
    if isinstance(decoder, CenterNetOutputs | SsdOutputs | YoloOutputs):
        return decoder.config
    raise TypeError(f"model {model.id} has a decoder without a score threshold ({type(decoder).__name__})")


def _rescored(model: RunnableModel, min_score: float) -> RunnableModel:
    """``model`` with its decoder keeping boxes down to ``min_score``."""
    decoder = model.decoder
    if not isinstance(decoder, CenterNetOutputs | SsdOutputs | YoloOutputs):
        raise TypeError(
            f"model {model.id} has a decoder without a score threshold ({type(decoder).__name__})"
        )
    config = decoder.config.model_copy(update={"score_threshold": min_score})
    return dataclasses.replace(model, decoder=dataclasses.replace(decoder, config=config))  # type: ignore[arg-type]


def _runnable_model(backend: StagedBackend) -> RunnableModel | None:
    model = getattr(backend, "model", None)
    return model if isinstance(model, RunnableModel) else None


def operating_threshold(backend: StagedBackend) -> float | None:
    """The score threshold ``backend`` keeps detections at, where it says (catalogue and custom ONNX/IR
    models, ensembles); None otherwise."""
    if isinstance(backend, EnsembleBackend | RescoredBackend):
        return backend.score_threshold
    model = _runnable_model(backend)
    return None if model is None else _decoder_config(model).score_threshold


class RescoredBackend:
    """A backend's model run as it is, its outputs decoded down to another score threshold.

    Prepare and infer are the backend's own; decoding uses the same model with only the decoder's score
    threshold changed, so the detections scoring at least the backend's own threshold are exactly the
    backend's (NMS never lets a weaker box suppress a stronger one), plus the weaker ones.
    """

    def __init__(self, backend: StagedBackend, min_score: float) -> None:
        if isinstance(backend, RescoredBackend):
            backend = backend.backend
        model = _runnable_model(backend)
        if model is None:
            raise TypeError(
                f"{backend.model_id} runs no RunnableModel: its score threshold cannot be changed here"
            )
        self._backend = backend
        self._model = _rescored(model, min_score)
        self._min_score = min_score

    @property
    def backend(self) -> StagedBackend:
        """The backend whose model this runs."""
        return self._backend

    @property
    def model(self) -> RunnableModel:
        """The model as this decodes it."""
        return self._model

    @property
    def score_threshold(self) -> float:
        """The score this decodes down to."""
        return self._min_score

    @property
    def model_id(self) -> str:
        """Model id."""
        return self._backend.model_id

    @property
    def model_version(self) -> str:
        """Model version."""
        return self._backend.model_version

    @property
    def class_names(self) -> tuple[str, ...]:
        """Class names in class-id order."""
        return self._backend.class_names

    @property
    def class_map(self) -> ClassMap:
        """Class name to object kind."""
        return self._backend.class_map

    @property
    def input_size(self) -> int:
        """Side of the model's square input in pixels."""
        return self._backend.input_size

    @property
    def max_batch_size(self) -> int:
        """Most frames per prepared batch."""
        return self._backend.max_batch_size

    @property
    def streams(self) -> int:
        """Sequences that may run at once."""
        return self._backend.streams

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each image, ``max_batch_size`` at a time."""
        return _detect_in_batches(self, images)

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        """The backend's own input tensor."""
        return self._backend.prepare(images)

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        """The backend's own model run."""
        return self._backend.infer(prepared)

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        """Boxes down to :attr:`score_threshold`."""
        return decode_batch(self._model, prepared, outputs)


def _decoded_down_to(backend: StagedBackend, min_score: float) -> StagedBackend:
    """``backend`` decoding down to ``min_score`` where its model allows it (catalogue and custom ONNX/IR
    models), else ``backend`` as it is."""
    if isinstance(backend, RescoredBackend) and backend.score_threshold == min_score:
        return backend
    if isinstance(backend, RescoredBackend) or _runnable_model(backend) is not None:
        return RescoredBackend(backend, min_score)
    return backend


def _detect_in_batches(backend: StagedBackend, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
    results: list[Detections] = []
    for start in range(0, len(images), backend.max_batch_size):
        prepared = backend.prepare(images[start : start + backend.max_batch_size])
        results.extend(backend.decode(prepared, backend.infer(prepared)))
    return results


# --- weighted box fusion -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FusedBoxes:
    """WBF's result: one row per cluster, best score first."""

    xyxy: NDArray[np.float32]
    """(K, 4) fused corners."""
    score: NDArray[np.float32]
    """(K,) fused scores."""
    key: tuple[str, ...]
    """The fusion key of each cluster."""
    members: tuple[tuple[int, ...], ...]
    """Indices (into the concatenated input) of the boxes in each cluster."""


def weighted_box_fusion(
    xyxy: Sequence[NDArray[np.floating]],
    score: Sequence[NDArray[np.floating]],
    key: Sequence[Sequence[str]],
    weights: Sequence[float],
    iou_threshold: float,
) -> FusedBoxes:
    """Fuse the boxes of ``len(weights)`` members (member ``m``: ``xyxy[m]`` (n, 4), ``score[m]`` (n,),
    ``key[m]`` n fusion keys); boxes fuse only with boxes of the same key. See the module docstring."""
    if not (len(xyxy) == len(score) == len(key) == len(weights)):
        raise ValueError("one box array, score array, key list and weight per member")
    boxes = np.concatenate([np.asarray(b, np.float64).reshape(-1, 4) for b in xyxy])
    weighted = np.concatenate(
        [np.asarray(s, np.float64).reshape(-1) * w for s, w in zip(score, weights, strict=True)]
    )
    keys = [k for member in key for k in member]
    if not (len(boxes) == len(weighted) == len(keys)):
        raise ValueError("each member needs as many scores and keys as boxes")
    order = np.argsort(-weighted, kind="stable").tolist()
    corners = boxes.tolist()
    confidences = weighted.tolist()
    by_key: dict[str, list[int]] = {}
    for index in order:
        by_key.setdefault(keys[index], []).append(index)
    clusters: list[list[int]] = []
    cluster_key: list[str] = []
    fused_rows: list[list[float]] = []
    cluster_weight: list[float] = []
    for group_key, indices in by_key.items():
        # plain Python: a frame's group holds a few dozen boxes, where numpy's per-call cost dominates
        fused: list[list[float]] = []  # fused corners per cluster
        sums: list[list[float]] = []  # sum of c * corner per cluster
        weight: list[float] = []  # sum of c per cluster
        members: list[list[int]] = []
        for index in indices:
            x1, y1, x2, y2 = corners[index]
            confidence = confidences[index]
            own = (x2 - x1) * (y2 - y1)
            best, best_iou = -1, iou_threshold
            for cluster, (f1, g1, f2, g2) in enumerate(fused):
                width = min(x2, f2) - max(x1, f1)
                height = min(y2, g2) - max(y1, g1)
                if width <= 0 or height <= 0:
                    continue
                overlap = width * height
                union = own + (f2 - f1) * (g2 - g1) - overlap
                if union > 0 and overlap / union > best_iou:
                    best, best_iou = cluster, overlap / union
            if best < 0:
                fused.append([x1, y1, x2, y2])
                sums.append([confidence * x1, confidence * y1, confidence * x2, confidence * y2])
                weight.append(confidence)
                members.append([index])
                continue
            members[best].append(index)
            total = sums[best]
            for axis, value in enumerate((x1, y1, x2, y2)):
                total[axis] += confidence * value
            weight[best] += confidence
            if weight[best] > 0:
                fused[best] = [value / weight[best] for value in total]
        clusters.extend(members)
        cluster_key.extend([group_key] * len(members))
        fused_rows.extend(fused)
        cluster_weight.extend(weight)
    total_weight = float(sum(weights))
    scores = np.array(
        [
            w / len(c) * min(len(c), len(weights)) / total_weight
            for w, c in zip(cluster_weight, clusters, strict=True)
        ],
        np.float64,
    )
    rank = np.argsort(-scores, kind="stable")
    return FusedBoxes(
        xyxy=np.asarray([fused_rows[i] for i in rank], np.float32).reshape(-1, 4),
        score=np.clip(scores[rank], 0.0, 1.0).astype(np.float32),
        key=tuple(cluster_key[i] for i in rank),
        members=tuple(tuple(clusters[i]) for i in rank),
    )


def _fusion_key(kind: ObjectKind, class_name: str, fuse_by: str) -> str:
    if fuse_by == "kind" and kind is not ObjectKind.OTHER:
        return f"kind:{kind.value}"
    return f"class:{class_name}"


def fuse_detections(
    parts: Sequence[Detections],
    settings: EnsembleSettings,
    class_names: Sequence[str],
    class_map: ClassMap,
) -> Detections:
    """One frame's detections of each member fused into one :class:`Detections` over ``class_names``
    (the ensemble's vocabulary, which holds every member class), scoring at least ``score_threshold``."""
    weights = settings.weights or (1.0,) * len(parts)
    if len(weights) != len(parts):
        raise ValueError(f"{len(weights)} weights for {len(parts)} members")
    kept = [part.with_min_score(settings.member_min_score) for part in parts]
    result = weighted_box_fusion(
        [part.xyxy for part in kept],
        [part.score for part in kept],
        [
            [_fusion_key(k, n, settings.fuse_by) for k, n in zip(part.kind, part.class_name, strict=True)]
            for part in kept
        ],
        weights,
        settings.iou_threshold,
    )
    names = [name for part in kept for name in part.class_name]
    weighted = [float(v) * w for part, w in zip(kept, weights, strict=True) for v in part.score.tolist()]
    index = {name: i for i, name in enumerate(class_names)}
    keep = [rank for rank, score in enumerate(result.score.tolist()) if score >= settings.score_threshold]
    class_id = []
    for rank in keep:
        totals: dict[str, float] = {}
        for member in result.members[rank]:
            totals[names[member]] = totals.get(names[member], 0.0) + weighted[member]
        class_id.append(index[max(totals, key=lambda name: totals[name])])
    return Detections.of_classes(
        result.xyxy[keep].reshape(-1, 4),
        result.score[keep],
        np.asarray(class_id, np.int64),
        class_names,
        class_map.kinds_of(class_names),
    )


# --- the backend -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EnsembleBatch(PreparedBatch):
    """Each member's prepared batch (``tensor`` and ``placements`` are the first member's)."""

    parts: tuple[PreparedBatch, ...] = ()


def _vocabulary(members: Sequence[StagedBackend]) -> tuple[tuple[str, ...], ClassMap]:
    """Every member's class names (first member's order, then new names of the next), and their kinds;
    ValueError when two members give one class name different kinds."""
    kinds: dict[str, ObjectKind] = {}
    for member in members:
        for name in member.class_names:
            kind = member.class_map.kind_of(name)
            if kinds.setdefault(name, kind) is not kind:
                raise ValueError(
                    f"class {name!r} is {kinds[name].value} to one member and {kind.value} to "
                    f"{member.model_id}: an ensemble needs one meaning per class name"
                )
    return tuple(kinds), ClassMap(kinds=kinds)


class EnsembleBackend:
    """A :class:`~detectors.backends.base.StagedBackend` running every member on each batch and fusing
    their detections frame by frame (:func:`fuse_detections`).

    ``infer`` returns one marker output (the member count and each member's number of outputs) followed by
    every member's outputs in order, so that ``decode`` can split them without state.
    """

    def __init__(self, members: Sequence[StagedBackend], settings: EnsembleSettings | None = None) -> None:
        if len(members) < 2:
            raise ValueError("an ensemble needs two or more members")
        self._settings = settings or EnsembleSettings()
        if self._settings.weights is not None and len(self._settings.weights) != len(members):
            raise ValueError(f"{len(self._settings.weights)} weights for {len(members)} members")
        self._members = tuple(_decoded_down_to(member, self._settings.member_min_score) for member in members)
        self._class_names, self._class_map = _vocabulary(self._members)

    @property
    def members(self) -> tuple[StagedBackend, ...]:
        """The member backends, decoded down to ``member_min_score`` where their model allows it."""
        return self._members

    @property
    def settings(self) -> EnsembleSettings:
        """How the members' boxes are fused."""
        return self._settings

    @property
    def score_threshold(self) -> float:
        """The operating threshold: fused boxes below it are dropped."""
        return self._settings.score_threshold

    def with_score_threshold(self, score_threshold: float) -> EnsembleBackend:
        """The same members (no second load), fused boxes kept down to ``score_threshold``."""
        settings = self._settings.model_copy(update={"score_threshold": score_threshold})
        return EnsembleBackend(self._members, settings)

    @property
    def model_id(self) -> str:
        """``ensemble:A+B``."""
        return ensemble_id([member.model_id for member in self._members])

    @property
    def model_version(self) -> str:
        """Each member's id and version, and the fusion settings that change the boxes."""
        members = "+".join(f"{m.model_id}@{m.model_version}" for m in self._members)
        s = self._settings
        weights = ",".join(f"{w:g}" for w in s.weights) if s.weights else "equal"
        return (
            f"{members};wbf iou {s.iou_threshold:g} min {s.member_min_score:g} score {s.score_threshold:g} "
            f"weights {weights} by {s.fuse_by}"
        )

    @property
    def class_names(self) -> tuple[str, ...]:
        """Every member's class names."""
        return self._class_names

    @property
    def class_map(self) -> ClassMap:
        """Class name to object kind, as the members map them."""
        return self._class_map

    @property
    def input_size(self) -> int:
        """The largest member input (zone tiles cut for it keep every pixel the finest member sees)."""
        return max(member.input_size for member in self._members)

    @property
    def max_batch_size(self) -> int:
        """The smallest member batch."""
        return min(member.max_batch_size for member in self._members)

    @property
    def streams(self) -> int:
        """The fewest member streams: each stream runs every member in turn."""
        return min(member.streams for member in self._members)

    def detect_batch(self, images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
        """Detect with every member and fuse, ``max_batch_size`` images at a time."""
        return _detect_in_batches(self, images)

    def prepare(self, images: Sequence[NDArray[np.uint8]]) -> EnsembleBatch:
        """Each member's input tensor for ``images``."""
        parts = tuple(member.prepare(images) for member in self._members)
        return EnsembleBatch(tensor=parts[0].tensor, placements=parts[0].placements, parts=parts)

    def infer(self, prepared: PreparedBatch) -> list[NDArray[np.float32]]:
        """Every member's model run: a marker, then each member's outputs in member order."""
        if not isinstance(prepared, EnsembleBatch) or len(prepared.parts) != len(self._members):
            raise TypeError("an ensemble infers on the batch its own prepare made")
        outputs = [member.infer(part) for member, part in zip(self._members, prepared.parts, strict=True)]
        marker = np.asarray([len(outputs), *(len(o) for o in outputs)], np.float32)
        return [marker, *(array for member_outputs in outputs for array in member_outputs)]

    def decode(self, prepared: PreparedBatch, outputs: list[NDArray[np.float32]]) -> list[Detections]:
        """Each member's detections, fused frame by frame."""
        if not isinstance(prepared, EnsembleBatch):
            raise TypeError("an ensemble decodes the batch its own prepare made")
        counts = [int(c) for c in outputs[0][1:].tolist()]
        per_member: list[list[Detections]] = []
        start = 1
        for member, part, count in zip(self._members, prepared.parts, counts, strict=True):
            per_member.append(member.decode(part, outputs[start : start + count]))
            start += count
        return [
            fuse_detections(frame_parts, self._settings, self._class_names, self._class_map)
            for frame_parts in zip(*per_member, strict=True)
        ]


def open_ensemble(
    choice: Selection,
    opener: Callable[[Selection], StagedBackend],
    settings: EnsembleSettings | None = None,
) -> EnsembleBackend:
    """The ensemble ``choice.model_id`` names, each member opened by ``opener`` with ``choice`` otherwise
    unchanged (same runtime, batch, cache)."""
    members = ensemble_members(choice.model_id)
    if members is None:
        raise ValueError(f"{choice.model_id!r} is not an ensemble id (ensemble:A+B)")
    opened = [opener(choice.model_copy(update={"model_id": member})) for member in members]
    return EnsembleBackend(opened, settings)
