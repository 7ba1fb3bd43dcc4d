"""Train a verifier on a labels export (``gridwatch labels export``): crops of the examples' boxes, embedded
by the detector's backbone, and a logistic regression that tells the site's positives from its negatives.

Cross-validation groups crops by camera and hour (as the export's split does), so near-identical frames of
one spot never sit on both sides of a fold; it reports precision and recall of the kept crops and the share
of negatives removed at the threshold. The final classifier is fitted on every example. Needs scikit-learn
and onnx (the modelbuild extra); the worker needs neither (:mod:`detectors.verifier.runtime`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from detectors.verifier.features import write_embedder
from detectors.verifier.runtime import (
    EMBEDDER_FILE,
    WEIGHTS_FILE,
    CrossValidation,
    Embedder,
    VerifierInfo,
    file_sha256,
    write_info,
)

MANIFEST = "examples.json"
DEFAULT_C = 0.05
"""Inverse regularisation strength: strong, for a few dozen crops of 1856 numbers each."""


class TrainingError(ValueError):
    """Examples a verifier cannot be trained on, with the reason."""


@dataclass(frozen=True)
class Crops:
    """Every box of an export: its image, box, label (1 positive, 0 negative) and group (camera/hour)."""

    embeddings: NDArray[np.float32]
    labels: NDArray[np.int64]
    groups: tuple[str, ...]
    cases: tuple[str, ...]
    classes: tuple[str, ...]
    files: tuple[Path, ...]


def read_crops(
    exports: Sequence[Path], embedder: Embedder, progress: Callable[[int, int], None] | None = None
) -> Crops:
    """Embed every box of the exports' ``examples.json`` (negatives' boxes too)."""
    listed: list[tuple[Path, Path, dict[str, Any]]] = []
    files: list[Path] = []
    for export in exports:
        manifest_path = export / MANIFEST
        try:
            examples = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TrainingError(f"{export} is not a labels export ({MANIFEST} missing)") from None
        files.append(manifest_path)
        listed.extend((export, manifest_path, example) for example in examples)
    embeddings: list[NDArray[np.float32]] = []
    labels: list[int] = []
    groups: list[str] = []
    cases: list[str] = []
    classes: list[str] = []
    for index, (export, manifest_path, example) in enumerate(listed, start=1):
        if progress is not None:
            progress(index, len(listed))
        positive = example["polarity"] == "positive"
        kept = np.asarray(example["boxes"], np.float32).reshape(-1, 4)
        # boxes a person rejected (kept apart by the box-labelling page) are negatives whatever the frame is
        rejected = np.asarray(example.get("rejected_boxes", []), np.float32).reshape(-1, 4)
        boxes = np.concatenate([kept, rejected])
        if not len(boxes):
            continue
        path = export / example["image"]
        read = cv2.imread(str(path))
        if read is None:
            raise TrainingError(f"{path} (listed in {manifest_path}) is not a readable image")
        files.append(path)
        embeddings.append(embedder.embed(np.asarray(read, np.uint8), boxes))
        labels.extend([int(positive)] * len(kept) + [0] * len(rejected))
        groups.extend([f"{example['camera_id']}/{example['captured_at'][:13]}"] * len(boxes))
        case = str(example.get("case_id") or example["image"]).split("#")[0]  # a replay's: incident#revision
        cases.extend([f"{export}/{case}"] * len(boxes))
        classes.extend([example["class"]] * len(boxes))
    if not embeddings:
        raise TrainingError(f"{', '.join(map(str, exports))}: no example with a box")
    return Crops(
        np.concatenate(embeddings),
        np.asarray(labels, np.int64),
        tuple(groups),
        tuple(cases),
        tuple(classes),
        tuple(files),
    )


def _classifier(c: float) -> tuple[StandardScaler, LogisticRegression]:
    return StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=5000)


def cross_validate(crops: Crops, threshold: float, c: float = DEFAULT_C, folds: int = 5) -> CrossValidation:
    """Held-out scores: folds grouped by camera and hour where there are groups enough, else by case, else
    stratified single crops."""
    y = crops.labels
    per_class = min(int(y.sum()), int(len(y) - y.sum()))

    def enough(keys: tuple[str, ...]) -> int:
        groups = np.asarray(keys)
        return min(len(set(groups[y == 1])), len(set(groups[y == 0])))

    grouping, keys = next(
        (
            (name, keys)
            for name, keys in (("camera-hour", crops.groups), ("case", crops.cases))
            if enough(keys) >= 2
        ),
        ("none", crops.groups),
    )
    groups = np.asarray(keys)
    k = min(folds, enough(keys)) if grouping != "none" else min(folds, per_class)
    if k < 2:
        return CrossValidation(folds=0, precision=None, recall=None, negatives_removed=None)
    splitter = (
        StratifiedGroupKFold(k) if grouping != "none" else StratifiedKFold(k, shuffle=True, random_state=0)
    )
    held = np.zeros(len(y), np.float64)
    for train, test in splitter.split(crops.embeddings, y, groups):
        if len(set(y[train].tolist())) < 2:
            held[test] = float(y[train][0])
            continue
        scaler, model = _classifier(c)
        model.fit(scaler.fit_transform(crops.embeddings[train]), y[train])
        held[test] = model.predict_proba(scaler.transform(crops.embeddings[test]))[:, 1]
    kept = held >= threshold
    true_kept = int((kept & (y == 1)).sum())
    return CrossValidation(
        folds=k,
        grouping=grouping,
        precision=true_kept / int(kept.sum()) if kept.any() else None,
        recall=true_kept / int(y.sum()),
        negatives_removed=int((~kept & (y == 0)).sum()) / int((y == 0).sum()),
    )


def train_verifier(
    exports: Path | Sequence[Path],
    detector_onnx: Path,
    base_model: str,
    out: Path,
    *,
    now: datetime,
    applies_to: tuple[str, ...] = (),
    threshold: float = 0.5,
    context: float = 0.15,
    c: float = DEFAULT_C,
    parent: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifierInfo:
    """Train on the export(s) and write the artefact into ``out`` (new or empty); its description."""
    folders = [exports] if isinstance(exports, Path) else list(exports)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TrainingError(f"{out} exists and is not an empty folder; write the verifier into a new one")
    out.mkdir(parents=True, exist_ok=True)
    try:
        _name, input_size = write_embedder(detector_onnx, out / EMBEDDER_FILE)
        embedder = Embedder.open(out / EMBEDDER_FILE, input_size, context)
        crops = read_crops(folders, embedder, progress)
        positives, negatives = int(crops.labels.sum()), int(len(crops.labels) - crops.labels.sum())
        if positives < 2 or negatives < 2:
            raise TrainingError(
                f"{', '.join(map(str, folders))} has {positives} positive and {negatives} negative boxes; "
                "a verifier needs at "
                "least 2 of each (verified cases and rejected ones)"
            )
        validation = cross_validate(crops, threshold, c)
        scaler, model = _classifier(c)
        model.fit(scaler.fit_transform(crops.embeddings), crops.labels)
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        np.savez(
            out / WEIGHTS_FILE,
            mean=scaler.mean_,
            scale=scale,
            coef=model.coef_[0],
            intercept=np.asarray(model.intercept_[0]),
        )
        kinds = applies_to or tuple(dict.fromkeys(crops.classes))
        info = VerifierInfo(
            id=f"{'+'.join(kinds)}-{now:%Y%m%dT%H%M%S}",
            created_at=now,
            base_model=base_model,
            applies_to=kinds,
            threshold=threshold,
            context=context,
            input_size=input_size,
            feature_dim=int(crops.embeddings.shape[1]),
            positives=positives,
            negatives=negatives,
            data_sha256=file_sha256(list(crops.files)),
            data=", ".join(str(folder.resolve()) for folder in folders),
            parent=parent,
            cross_validation=validation,
        )
        write_info(out, info)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half-written verifier to be loaded later
        raise
    return info
