"""A bar chart drawn with OpenCV (no plotting library, no font download): one bar per measured path."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np


def draw_bar_chart(rows: Sequence[tuple[str, float]], path: Path, *, title: str) -> None:
    """Horizontal bars, value labels, written as PNG to ``path``."""
    width, row_height, left, top = 960, 42, 300, 60
    height = top + row_height * len(rows) + 30
    canvas = np.full((height, width, 3), 255, np.uint8)
    cv2.putText(canvas, title, (16, 34), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (30, 30, 30), 1, cv2.LINE_AA)
    peak = max((value for _, value in rows), default=1.0) or 1.0
    span = width - left - 90
    for index, (name, value) in enumerate(rows):
        y = top + index * row_height
        colour = (
            (60, 60, 220) if name.endswith("naive") else (200, 140, 40) if "raw" in name else (70, 160, 70)
        )
        cv2.putText(canvas, name, (16, y + 26), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (30, 30, 30), 1, cv2.LINE_AA)
        end = left + int(span * value / peak)
        cv2.rectangle(canvas, (left, y + 8), (end, y + row_height - 8), colour, cv2.FILLED)
        cv2.putText(
            canvas,
            f"{value:.1f}",
            (end + 8, y + 27),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.55,
            (30, 30, 30),
            1,
            cv2.LINE_AA,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), canvas):
        raise OSError(f"cannot write {path}")
