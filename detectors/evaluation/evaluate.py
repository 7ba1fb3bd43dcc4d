"""One evaluation run, as `gridwatch models eval` does it: read the labels, open every model asked for, run
each over the images, time them interleaved, and gather one :class:`EvaluationReport`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from detectors.evaluation.candidates import OpenedModel, choose_candidates, open_candidate
from detectors.evaluation.dataset import read_labelled_set
from detectors.evaluation.kinds import default_label_kinds, load_label_kinds
from detectors.evaluation.labels import LabelFormat, LabelledSet
from detectors.evaluation.results import (
    SIZE_BUCKETS,
    DatasetSummary,
    EvaluationReport,
    ModelResult,
    SkippedModel,
    SpeedReport,
    SpeedResult,
)
from detectors.evaluation.runner import (
    EvaluationSettings,
    Progress,
    evaluate_detector,
    read_image,
    time_interleaved,
    usable_cpus,
)
from detectors.models.custom import CustomModelConfig
from gridwatch.config import CameraDetection

Say = Callable[[str], None]

#: Views of a camera whose zone is the whole image: the default settings, without the cap on tiles that
#: bounds a live camera's cost (a zone covering a whole 720x1280 photo needs 15 tiles of 300 px at scale 1).
WHOLE_IMAGE_ZONE = CameraDetection(max_tiles=64)


class EvaluationRequest(BaseModel):
    """What to evaluate, on what, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    images_dir: Path = Field(description="Folder of the labelled images.")
    labels: Path = Field(description="VOC or YOLO labels folder, or COCO JSON file.")
    label_format: LabelFormat | None = Field(default=None, description="Label format; unset: recognised.")
    class_map: Path | None = Field(
        default=None, description="YAML/JSON `label class: kind` added to the default mapping."
    )
    models: str = Field(
        default="all",
        description="`all` (every catalogue model and their ensemble) or ids separated by commas "
        "(`ensemble:A+B` included).",
    )
    custom: tuple[CustomModelConfig, ...] = Field(default=(), description="Custom models evaluated too.")
    runtime: Literal["auto", "onnxruntime", "openvino"] = Field(
        default="auto", description="Runtime every model runs on."
    )
    settings: EvaluationSettings = Field(
        default_factory=EvaluationSettings, description="IoU thresholds, size buckets, minimum score."
    )
    cache_dir: Path | None = Field(default=None, description="Model cache; unset: $GW_MODEL_CACHE.")
    max_batch_size: int = Field(default=8, gt=0, description="Most images per model run.")
    speed_rounds: int = Field(default=3, ge=0, description="Timing rounds (best counts); 0: no timing.")
    speed_frames: int = Field(default=16, ge=1, description="Images timed per round (the first ones).")
    command: str = Field(default="", description="The command line, recorded in the report.")
    views: Literal["whole", "zone_tiles"] = Field(
        default="zone_tiles",
        description="`zone_tiles`: detect as the worker does on a camera whose zone is the whole image "
        "(tiles at the model's resolution over all of it, and the whole frame); `whole`: each image "
        "squeezed into the model input.",
    )


def _progress(model_id: str, say: Say) -> Progress:
    """Says how far ``model_id`` got, about every tenth of the images and at the end."""
    last = [-1]

    def report(done: int, total: int) -> None:
        step = done * 10 // max(1, total)
        if step != last[0] or done == total:
            last[0] = step
            say(f"  {model_id}: {done}/{total} images")

    return report


def summarise_dataset(dataset: LabelledSet, request: EvaluationRequest) -> DatasetSummary:
    """Label counts per kind and size bucket."""
    buckets = request.settings.size_buckets
    labelled: dict[str, dict[str, int]] = {}
    ignored = 0
    for kind in dataset.kinds:
        counts = [0] * len(SIZE_BUCKETS)
        for item in dataset.images:
            boxes, ignore = item.of_kind(kind)
            ignored += int(ignore.sum())
            for index in buckets.index(boxes[~ignore]).tolist():
                counts[index] += 1
        labelled[kind.value] = {"all": sum(counts), **dict(zip(SIZE_BUCKETS, counts, strict=True))}
    return DatasetSummary(
        images_dir=request.images_dir,
        labels=dataset.labels_path,
        format=dataset.format.value,
        images=len(dataset.images),
        kinds=list(dataset.kinds),
        labelled=labelled,
        ignored=ignored,
        unmapped=dataset.unmapped,
        skipped=list(dataset.skipped),
    )


def evaluate_models(request: EvaluationRequest, say: Say) -> EvaluationReport:
    """Run the evaluation ``request`` describes; ``say`` hears the progress."""
    kind_map = load_label_kinds(request.class_map) if request.class_map else default_label_kinds()
    dataset = read_labelled_set(request.images_dir, request.labels, kind_map, request.label_format)
    summary = summarise_dataset(dataset, request)
    say(f"{summary.images} labelled images ({summary.format}); kinds: {', '.join(summary.labelled)}")
    candidates, skipped = choose_candidates(request.models, request.custom, request.cache_dir)
    for entry in skipped:
        say(f"skipping {entry.model_id}: {entry.reason}")
    settings = request.settings
    opened: list[OpenedModel] = []
    results: list[ModelResult] = []
    try:
        for candidate in candidates:
            say(f"opening {candidate.model_id} ({request.runtime})")
            try:
                model = open_candidate(
                    candidate,
                    request.runtime,
                    settings.min_score,
                    cache_dir=request.cache_dir,
                    max_batch_size=request.max_batch_size,
                    views=WHOLE_IMAGE_ZONE if request.views == "zone_tiles" else None,
                )
            except (OSError, ImportError, RuntimeError, ValueError) as error:
                skipped.append(SkippedModel(model_id=candidate.model_id, reason=f"cannot open: {error}"))
                say(f"skipping {candidate.model_id}: cannot open: {error}")
                continue
            opened.append(model)
            started = time.perf_counter()
            chunk = request.max_batch_size * max(1, model.detect.backend.streams)
            measured = evaluate_detector(
                model.detect,
                dataset,
                model.operating_threshold,
                settings,
                chunk=chunk,
                progress=_progress(model.model_id, say),
            )
            results.append(
                ModelResult(
                    model_id=model.model_id,
                    model_version=model.model_version,
                    runtime=model.runtime,
                    operating_threshold=model.operating_threshold,
                    seconds=round(time.perf_counter() - started, 3),
                    results=measured,
                )
            )
        speed = _speed(opened, dataset, request, say) if request.speed_rounds and opened else None
    finally:
        for model in opened:
            model.close()
    return EvaluationReport(
        command=request.command,
        dataset=summary,
        size_buckets=settings.size_buckets,
        iou_thresholds=list(settings.iou_thresholds),
        min_score=settings.min_score,
        views=request.views,
        models=results,
        skipped_models=skipped,
        speed=speed,
    )


def _speed(
    opened: list[OpenedModel], dataset: LabelledSet, request: EvaluationRequest, say: Say
) -> SpeedReport:
    images = [read_image(item) for item in dataset.images[: request.speed_frames]]
    chunk = request.max_batch_size
    say(f"timing {len(opened)} models on {len(images)} images, {request.speed_rounds} rounds, interleaved")
    timed = time_interleaved(
        {model.model_id: model.deployed for model in opened}, images, chunk=chunk, rounds=request.speed_rounds
    )
    return SpeedReport(
        frames=len(images),
        rounds=request.speed_rounds,
        chunk=chunk,
        cpus=usable_cpus(),
        models=[SpeedResult(model_id=name, ms_per_frame=round(ms, 2)) for name, ms in timed.items()],
    )
