"""A trained verifier at run time: embed each candidate's crop, score it, keep what it believes.

The embedding is the detector's own backbone (SSDLite-MobileNetV2: its 19x19x576 and 10x10x1280 feature
maps, each averaged over the map) run on a square crop around the box with some context, resized to the
network's input; the classifier is a standardised logistic regression whose weights are stored as numbers
(no pickle). A verifier applies to detections of the classes it names (e.g. ``static_foreground``, the
model-free blobs the trading rule counts; or ``bicycle``); others pass untouched.

An artefact is a folder: ``verifier.json`` (:class:`VerifierInfo`), ``weights.npz`` and ``embedder.onnx``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from detectors.boxes import box_overlap_of_smaller
from gridwatch.detections import Detections

INFO_FILE = "verifier.json"
WEIGHTS_FILE = "weights.npz"
EMBEDDER_FILE = "embedder.onnx"
FORMAT = "gw.verifier/1"


class VerifierError(ValueError):
    """A verifier folder that cannot be used, with the reason."""


class CrossValidation(BaseModel):
    """How well the classifier separated the site's examples, measured on held-out folds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    folds: int = Field(ge=0, description="Folds of the cross-validation.")
    grouping: str = Field(
        default="none",
        description="How folds kept related crops apart: camera-hour (each camera and hour on one side), "
        "case (each case's or incident's sightings on one side: where all came from one camera-hour), or "
        "none (stratified single crops, which near-identical frames make optimistic).",
    )
    precision: float | None = Field(description="Share of kept held-out crops that were positives.")
    recall: float | None = Field(description="Share of held-out positive crops kept.")
    negatives_removed: float | None = Field(description="Share of held-out negative crops removed.")


class VerifierInfo(BaseModel):
    """What a verifier is, what it learnt from, and how well."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = Field(default=FORMAT, description="Artefact format version.")
    id: str = Field(min_length=1, max_length=128, description="Name and version, e.g. trading-20261208T0301.")
    created_at: datetime = Field(description="When it was trained.")
    base_model: str = Field(description="The detector model whose backbone embeds the crops.")
    applies_to: tuple[str, ...] = Field(
        min_length=1, description="Detection class names (or kinds) it rescores; others pass."
    )
    threshold: float = Field(ge=0.0, le=1.0, description="Default: keep a detection scored at least this.")
    context: float = Field(ge=0.0, le=2.0, description="Margin around the box in the crop, per side.")
    input_size: int = Field(ge=32, description="Side of the embedder's square input.")
    feature_dim: int = Field(ge=1, description="Length of an embedding.")
    positives: int = Field(ge=0, description="Positive crops trained on.")
    negatives: int = Field(ge=0, description="Negative crops trained on.")
    data_sha256: str = Field(description="Hash of the training examples (images and boxes).")
    data: str = Field(description="Where the training examples came from (the export folder).")
    parent: str | None = Field(default=None, description="The verifier this one replaces, if any.")
    cross_validation: CrossValidation = Field(description="Held-out measurement at the threshold.")


@dataclass(frozen=True)
class Embedder:
    """The backbone embedding of box crops."""

    session: ort.InferenceSession
    input_name: str
    input_size: int
    context: float

    @classmethod
    def open(cls, path: Path, input_size: int, context: float) -> Embedder:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return cls(session, session.get_inputs()[0].name, input_size, context)

    def crops(self, image: NDArray[np.uint8], boxes: NDArray[np.float32]) -> NDArray[np.float32]:
        """Square crops around ``boxes`` (with context; the frame's edge repeated where they leave it),
        resized to the input, RGB 0..255, NHWC."""
        size = self.input_size
        out = np.zeros((len(boxes), size, size, 3), np.float32)
        height, width = image.shape[:2]
        for i, (x1, y1, x2, y2) in enumerate(boxes.tolist()):
            side = max(x2 - x1, y2 - y1) * (1.0 + 2.0 * self.context)
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            left, top = round(cx - side / 2), round(cy - side / 2)
            right, bottom = max(left + 2, round(cx + side / 2)), max(top + 2, round(cy + side / 2))
            pad = (max(0, -top), max(0, bottom - height), max(0, -left), max(0, right - width))
            crop = image[max(0, top) : min(height, bottom), max(0, left) : min(width, right)]
            if crop.size == 0:
                continue  # a box outside the frame: a blank crop
            if any(pad):
                crop = np.asarray(cv2.copyMakeBorder(crop, *pad, cv2.BORDER_REPLICATE), np.uint8)
            resized = cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
            out[i] = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
        return out

    def embed(
        self, image: NDArray[np.uint8], boxes: NDArray[np.float32], batch: int = 8
    ) -> NDArray[np.float32]:
        """One embedding per box: each feature map averaged over its positions, concatenated."""
        if len(boxes) == 0:
            return np.zeros((0, 0), np.float32)
        tensor = self.crops(image, boxes)
        parts = []
        for first in range(0, len(tensor), batch):
            maps = self.session.run(None, {self.input_name: tensor[first : first + batch]})
            parts.append(
                np.concatenate([m.reshape(m.shape[0], m.shape[1], -1).mean(axis=2) for m in maps], 1)
            )
        return np.concatenate(parts).astype(np.float32)


class Verifier:
    """A loaded verifier: scores and filters detections of the classes it applies to."""

    def __init__(
        self, info: VerifierInfo, embedder: Embedder, weights: dict[str, NDArray[np.float64]]
    ) -> None:
        self.info = info
        self.embedder = embedder
        self._mean = weights["mean"]
        self._scale = weights["scale"]
        self._coef = weights["coef"]
        self._intercept = float(weights["intercept"])

    @classmethod
    def load(cls, folder: Path) -> Verifier:
        """Open the artefact in ``folder``; :class:`VerifierError` naming what is wrong with it."""
        info_path = folder / INFO_FILE
        try:
            info = VerifierInfo.model_validate_json(info_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise VerifierError(f"{folder} holds no verifier ({INFO_FILE} missing)") from None
        except ValidationError as error:
            raise VerifierError(f"{info_path} is not a verifier description: {error}") from None
        if info.format != FORMAT:
            raise VerifierError(f"{info_path}: format {info.format!r}, this Gridwatch reads {FORMAT!r}")
        try:
            with np.load(folder / WEIGHTS_FILE) as data:
                weights = {
                    key: np.asarray(data[key], np.float64) for key in ("mean", "scale", "coef", "intercept")
                }
        except (OSError, KeyError, ValueError) as error:
            raise VerifierError(f"{folder / WEIGHTS_FILE}: {error}") from None
        if (
            not weights["coef"].shape
            == weights["mean"].shape
            == weights["scale"].shape
            == (info.feature_dim,)
        ):
            raise VerifierError(f"{folder / WEIGHTS_FILE}: weights are not of length {info.feature_dim}")
        if not (folder / EMBEDDER_FILE).is_file():
            raise VerifierError(f"{folder} lacks its embedder ({EMBEDDER_FILE})")
        return cls(info, Embedder.open(folder / EMBEDDER_FILE, info.input_size, info.context), weights)

    def probability(self, embeddings: NDArray[np.float32]) -> NDArray[np.float64]:
        """P(positive) of each embedding."""
        z = (embeddings.astype(np.float64) - self._mean) / self._scale
        return np.asarray(1.0 / (1.0 + np.exp(-(z @ self._coef + self._intercept))))

    def applies(self, detections: Detections) -> NDArray[np.bool_]:
        """Which detections it rescores: by class name or kind."""
        names = set(self.info.applies_to)
        return np.array(
            [
                name in names or str(kind) in names
                for name, kind in zip(detections.class_name, detections.kind, strict=True)
            ],
            bool,
        )

    def keep(
        self,
        image: NDArray[np.uint8],
        detections: Detections,
        threshold: float | None = None,
        recent: tuple[NDArray[np.float32], NDArray[np.float64]] | None = None,
    ) -> tuple[Detections, int, tuple[NDArray[np.float32], NDArray[np.float64]]]:
        """The detections it believes (and those it does not apply to), how many it removed, and this
        frame's (boxes, scores) to remember. With ``recent`` (boxes and scores of the camera's recent frames)
        a box's score is the mean of its own and of the recent boxes of the same object (overlapping by
        :data:`SAME_OBJECT` of the smaller box): the verifier judges an object over time, so neither a
        fragment of a pile half hidden by a passer-by nor one good-looking view of a bin decides alone."""
        mask = self.applies(detections)
        if not mask.any():
            return detections, 0, (np.zeros((0, 4), np.float32), np.zeros(0))
        limit = self.info.threshold if threshold is None else threshold
        boxes = detections.xyxy[mask]
        p = self.probability(self.embedder.embed(image, boxes))
        score = p
        if recent is not None and len(recent[0]):
            same = box_overlap_of_smaller(boxes, recent[0]) >= SAME_OBJECT
            score = (p + (same * recent[1][None, :]).sum(axis=1)) / (1 + same.sum(axis=1))
        keep = np.ones(len(detections), bool)
        keep[np.flatnonzero(mask)] = score >= limit
        removed = int((~keep).sum())
        return (detections.select(keep) if removed else detections), removed, (boxes, p)


#: Two boxes whose intersection is this much of the smaller one show the same object.
SAME_OBJECT = 0.6


def file_sha256(paths: Sequence[Path]) -> str:
    """One hash over files' contents, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_info(folder: Path, info: VerifierInfo) -> None:
    """Write ``verifier.json``."""
    (folder / INFO_FILE).write_text(
        json.dumps(info.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n"
    )
