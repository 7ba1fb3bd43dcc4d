"""PR curves drawn with OpenCV (matplotlib is not a dependency; nothing is downloaded): one panel per kind and
IoU threshold, one curve per model, each model's operating point marked with a dot and its AP written."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.evaluation.results import EvaluationReport
from detectors.evaluation.table import number

#: Curve colours (BGR), one per model in report order (repeating after the last).
COLOURS: tuple[tuple[int, int, int], ...] = (
    (180, 119, 31),
    (14, 127, 255),
    (44, 160, 44),
    (40, 39, 214),
    (189, 103, 148),
    (75, 86, 140),
)

_PANEL_W, _PANEL_H = 440, 380
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 64, 44
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_INK = (40, 40, 40)
_GRID = (225, 225, 225)


def _text(
    canvas: NDArray[np.uint8],
    text: str,
    origin: tuple[int, int],
    scale: float = 0.45,
    colour: tuple[int, int, int] = _INK,
) -> None:
    cv2.putText(canvas, text, origin, _FONT, scale, colour, 1, cv2.LINE_AA)


def _panel(
    canvas: NDArray[np.uint8], report: EvaluationReport, kind_index: int, iou: float, x0: int, y0: int
) -> None:
    kind = report.dataset.kinds[kind_index]
    width, height = _PANEL_W - _LEFT - _RIGHT, _PANEL_H - _TOP - _BOTTOM
    left, top = x0 + _LEFT, y0 + _TOP

    def at(recall: float, precision: float) -> tuple[int, int]:
        return left + round(recall * width), top + round((1.0 - precision) * height)

    labelled = report.dataset.labelled.get(kind.value, {}).get("all", 0)
    _text(canvas, f"{kind.value}, IoU {iou:g} ({labelled} labelled)", (left, y0 + 22), 0.5)
    for step in range(6):
        value = step / 5
        cv2.line(canvas, at(value, 0.0), at(value, 1.0), _GRID, 1)
        cv2.line(canvas, at(0.0, value), at(1.0, value), _GRID, 1)
        _text(canvas, f"{value:.1f}", (at(value, 0.0)[0] - 10, top + height + 18), 0.38)
        _text(canvas, f"{value:.1f}", (x0 + 22, at(0.0, value)[1] + 4), 0.38)
    cv2.rectangle(canvas, at(0.0, 1.0), at(1.0, 0.0), _INK, 1)
    _text(canvas, "recall", (left + width // 2 - 20, top + height + 36), 0.42)
    _text(canvas, "precision", (x0 + 4, top - 8), 0.42)
    x = left
    _text(canvas, "AP", (x, y0 + 42), 0.45)
    x += 28
    for index, model in enumerate(report.models):
        result = model.result(kind, iou)
        if result is None:
            continue
        colour = COLOURS[index % len(COLOURS)]
        curve = result.curve
        if curve.recall:
            points = np.array(
                [at(r, p) for r, p in zip(curve.recall, curve.precision, strict=True)], np.int32
            )
            cv2.polylines(canvas, [points], False, colour, 2, cv2.LINE_AA)
        everything = result.bucket("all")
        if everything.recall is not None and everything.precision is not None:
            dot = at(everything.recall, everything.precision)
            cv2.circle(canvas, dot, 6, colour, cv2.FILLED, cv2.LINE_AA)
            cv2.circle(canvas, dot, 6, _INK, 1, cv2.LINE_AA)
        ap = everything.average_precision
        _text(canvas, number(ap), (x, y0 + 42), 0.45, colour)
        x += 48


def draw_pr_curves(report: EvaluationReport, path: Path | None = None) -> NDArray[np.uint8]:
    """The PR curves of every model of ``report`` as a BGR image, written as PNG to ``path`` if given."""
    kinds, ious = report.dataset.kinds, report.iou_thresholds
    legend_h = 30 + 22 * len(report.models)
    columns, rows = max(1, len(kinds)), max(1, len(ious))
    canvas = np.full((legend_h + rows * _PANEL_H, columns * _PANEL_W, 3), 255, np.uint8)
    _text(
        canvas,
        f"PR curves, {report.dataset.images} images; dot: the model's operating threshold; "
        f"scores down to {report.min_score:g}",
        (12, 22),
        0.5,
    )
    for index, model in enumerate(report.models):
        y = 44 + 22 * index
        colour = COLOURS[index % len(COLOURS)]
        cv2.line(canvas, (16, y - 5), (48, y - 5), colour, 3, cv2.LINE_AA)
        _text(
            canvas,
            f"{model.model_id} ({model.runtime}, keeps >= {model.operating_threshold:.2f})",
            (56, y),
            0.45,
        )
    for row, iou in enumerate(ious):
        for column in range(len(kinds)):
            _panel(canvas, report, column, iou, column * _PANEL_W, legend_h + row * _PANEL_H)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(path), canvas):
            raise OSError(f"cannot write {path}")
    return canvas
