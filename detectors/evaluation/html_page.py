"""An evaluation report as one self-contained HTML page: the PR curves (embedded PNG) and every table."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import cv2

from detectors.evaluation.plot import draw_pr_curves
from detectors.evaluation.results import SIZE_BUCKETS, EvaluationReport
from detectors.evaluation.table import metric_cells, metric_header, number, result_rows

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
thead th { background: #f2f2f2; }
code { background: #f5f5f5; padding: 1px 4px; }
img { max-width: 100%; border: 1px solid #ddd; }
"""


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_report(report: EvaluationReport) -> str:
    """The page."""
    dataset = report.dataset
    ok, png = cv2.imencode(".png", draw_pr_curves(report))
    picture = (
        f'<img alt="PR curves" src="data:image/png;base64,{base64.b64encode(png.tobytes()).decode()}">'
        if ok
        else ""
    )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>gridwatch models eval</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Detector evaluation</h1>",
        f"<p><code>{escape(report.command)}</code></p>",
        f"<p>{dataset.images} images from <code>{escape(str(dataset.images_dir))}</code>, "
        f"{dataset.format} labels <code>{escape(str(dataset.labels))}</code>. "
        f"Sizes by box height: {escape(report.size_buckets.describe())}. "
        "Recall R and precision P at each model's operating threshold; AP over every score down to "
        f"{report.min_score:g}.</p>",
    ]
    labelled_rows = [
        [kind, *(str(counts[b]) for b in ("all", *SIZE_BUCKETS))] for kind, counts in dataset.labelled.items()
    ]
    parts.append(_table(["kind", "labelled", *SIZE_BUCKETS], labelled_rows))
    if dataset.unmapped:
        listed = ", ".join(f"{name} ×{count}" for name, count in sorted(dataset.unmapped.items()))
        parts.append(f"<p>Not evaluated (label classes without a kind): {escape(listed)}</p>")
    if dataset.skipped:
        parts.append(
            "<p>Left out:</p><ul>" + "".join(f"<li>{escape(s)}</li>" for s in dataset.skipped) + "</ul>"
        )
    for skipped in report.skipped_models:
        parts.append(f"<p>Skipped <code>{escape(skipped.model_id)}</code>: {escape(skipped.reason)}</p>")
    parts.append(picture)
    for iou in report.iou_thresholds:
        rows = [
            [
                f"{model.model_id} ({model.runtime}, ≥{model.operating_threshold:.2f})",
                result.kind.value,
                *metric_cells(result),
            ]
            for model, result in result_rows(report, iou)
        ]
        parts += [f"<h2>IoU {iou:g}</h2>", _table(["model", "kind", *metric_header()], rows)]
        for kind in dataset.kinds:
            measured = [(m, r) for m in report.models if (r := m.result(kind, iou)) is not None]
            if not measured:
                continue
            thresholds = [p.score_threshold for p in measured[0][1].operating_points]
            sweep = [
                [m.model_id, *(f"{number(p.recall)} / {number(p.precision)}" for p in r.operating_points)]
                for m, r in measured
            ]
            parts += [
                f"<h3>{escape(kind.value)}, IoU {iou:g}: recall / precision from each score up</h3>",
                _table(["model", *(f"≥{t:g}" for t in thresholds)], sweep),
            ]
    if report.speed is not None:
        speed = report.speed
        parts += [
            f"<h2>Speed</h2><p>{speed.frames} frames, {speed.rounds} rounds interleaved in chunks of "
            f"{speed.chunk}, best round, {speed.cpus} CPUs.</p>",
            _table(["model", "ms per frame"], [[s.model_id, f"{s.ms_per_frame:.1f}"] for s in speed.models]),
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(report: EvaluationReport, path: Path) -> None:
    """Write the page to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(report), encoding="utf-8")
