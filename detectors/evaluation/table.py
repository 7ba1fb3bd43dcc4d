"""An evaluation report as text: a terminal table and a Markdown table (the one in detectors/README.md)."""

from __future__ import annotations

from collections.abc import Sequence

from detectors.evaluation.results import (
    SIZE_BUCKETS,
    BucketCounts,
    EvaluationReport,
    KindResult,
    ModelResult,
)

DASH = "–"


def number(value: float | None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals, or a dash for none."""
    return DASH if value is None else f"{value:.{digits}f}"


def recall_cell(counts: BucketCounts) -> str:
    """Recall with its counts, e.g. ``0.74 (20/27)``; a dash without labels."""
    if not counts.labelled:
        return DASH
    return f"{number(counts.recall)} ({counts.found}/{counts.labelled})"


def metric_header() -> list[str]:
    """The metric columns of a result row: AP, then recall and precision over all sizes and per bucket."""
    header = ["AP", "R all", "P all"]
    for bucket in SIZE_BUCKETS:
        header += [f"R {bucket}", f"P {bucket}"]
    return header


def metric_cells(result: KindResult) -> list[str]:
    """A result's cells under :func:`metric_header`."""
    everything = result.bucket("all")
    cells = [number(everything.average_precision), recall_cell(everything), number(everything.precision)]
    for bucket in SIZE_BUCKETS:
        counts = result.bucket(bucket)
        cells += [recall_cell(counts), number(counts.precision)]
    return cells


def result_rows(report: EvaluationReport, iou: float) -> list[tuple[ModelResult, KindResult]]:
    """Each model's result per kind at ``iou``, models in report order."""
    rows = []
    for model in report.models:
        for kind in report.dataset.kinds:
            result = model.result(kind, iou)
            if result is not None:
                rows.append((model, result))
    return rows


def _aligned(lines: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in lines
    ]


def text_report(report: EvaluationReport) -> str:
    """The terminal table: per IoU threshold, per model and kind, recall and precision at the model's
    operating threshold per size bucket, and AP; then the operating points at the first IoU threshold and
    the speed."""
    dataset = report.dataset
    out = [
        f"{dataset.images} images ({dataset.format}: {dataset.labels})",
        f"sizes by box height: {report.size_buckets.describe()}",
        "labelled: "
        + ", ".join(
            f"{kind} {counts['all']} (" + ", ".join(f"{b} {counts[b]}" for b in SIZE_BUCKETS) + ")"
            for kind, counts in dataset.labelled.items()
        ),
    ]
    if dataset.unmapped:
        unmapped = ", ".join(f"{name} x{count}" for name, count in sorted(dataset.unmapped.items()))
        out.append(f"not evaluated (no kind for these label classes; see --class-map): {unmapped}")
    for skipped in report.skipped_models:
        out.append(f"skipped {skipped.model_id}: {skipped.reason}")
    for iou in report.iou_thresholds:
        out += [
            "",
            f"IoU {iou:g}: R recall (found/labelled) and P precision at each model's operating threshold; "
            f"AP over scores >= {report.min_score:g}",
        ]
        lines = [["model", "kind", *metric_header()]]
        for model, result in result_rows(report, iou):
            name = f"{model.model_id} >={model.operating_threshold:.2f}"
            lines.append([name, result.kind.value, *metric_cells(result)])
        out += _aligned(lines)
    if report.iou_thresholds and report.models:
        iou = report.iou_thresholds[0]
        out += ["", f"IoU {iou:g}, all sizes: recall / precision if detections were kept from each score up"]
        first = report.models[0].results[0].operating_points if report.models[0].results else []
        lines = [["model", "kind", *(f">={p.score_threshold:g}" for p in first)]]
        for model, result in result_rows(report, iou):
            lines.append(
                [
                    model.model_id,
                    result.kind.value,
                    *(f"{number(p.recall)}/{number(p.precision)}" for p in result.operating_points),
                ]
            )
        out += _aligned(lines)
    if report.speed is not None:
        speed = report.speed
        out += [
            "",
            f"speed: {speed.frames} frames, {speed.rounds} rounds interleaved in chunks of {speed.chunk}, "
            f"best round, {speed.cpus} CPUs",
        ]
        out += _aligned(
            [["model", "ms/frame"], *([s.model_id, f"{s.ms_per_frame:.1f}"] for s in speed.models)]
        )
    return "\n".join(out)


def markdown_report(report: EvaluationReport) -> str:
    """Markdown tables (one per IoU threshold) of recall R and precision P per size bucket and AP, and the
    speed, as kept in detectors/README.md."""
    out: list[str] = []
    for iou in report.iou_thresholds:
        header = ["model (operating threshold)", "kind", *metric_header()]
        out += [f"IoU {iou:g}:", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for model, result in result_rows(report, iou):
            name = f"`{model.model_id}` ({model.operating_threshold:.2f})"
            out.append("| " + " | ".join([name, result.kind.value, *metric_cells(result)]) + " |")
        out.append("")
    if report.speed is not None:
        out += ["| model | ms per frame |", "|---|---|"]
        out += [f"| `{s.model_id}` | {s.ms_per_frame:.1f} |" for s in report.speed.models]
        out.append("")
    return "\n".join(out)
