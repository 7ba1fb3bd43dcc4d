"""Small SVG pictures for the HTML report: a timeline per camera and precision/recall per setting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

LABEL_COLOUR = "#2b7bb9"
HIT_COLOUR = "#2e9d48"
FALSE_COLOUR = "#d0352b"
TIME_ONLY_COLOUR = "#e8912d"


@dataclass(frozen=True, slots=True)
class Bar:
    """An interval on a timeline row, in seconds from the footage start."""

    row: str
    start: float
    end: float
    colour: str
    title: str


def timeline(bars: Sequence[Bar], seconds: float, *, width: int = 900, row_height: int = 22) -> str:
    """Rows of intervals over ``seconds`` of footage, with a time axis (10 ticks)."""
    rows = list(dict.fromkeys(bar.row for bar in bars))
    left, top = 170, 8
    plot_w = width - left - 10
    height = top + row_height * max(1, len(rows)) + 30
    span = max(seconds, 1e-9)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="timeline">']
    for i, row in enumerate(rows):
        y = top + i * row_height
        parts.append(f'<text x="4" y="{y + 15}" font-size="12">{escape(row)}</text>')
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y + 11}" y2="{y + 11}" stroke="#ddd"/>')
    for bar in bars:
        y = top + rows.index(bar.row) * row_height
        x1 = left + plot_w * max(0.0, bar.start) / span
        x2 = left + plot_w * min(span, max(bar.end, bar.start)) / span
        parts.append(
            f'<rect x="{x1:.1f}" y="{y + 3}" width="{max(2.0, x2 - x1):.1f}" height="{row_height - 6}" '
            f'fill="{bar.colour}" opacity="0.85"><title>{escape(bar.title)}</title></rect>'
        )
    axis_y = top + row_height * max(1, len(rows)) + 4
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{axis_y}" y2="{axis_y}" stroke="#444"/>')
    for tick in range(11):
        x = left + plot_w * tick / 10
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{axis_y}" y2="{axis_y + 4}" stroke="#444"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 16}" font-size="10" text-anchor="middle">'
            f"{span * tick / 10:.0f}s</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def precision_recall(
    settings: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    width: int = 900,
    height: int = 300,
) -> str:
    """Lines of each named series (0..1) over the settings (x axis, in order); a None leaves a gap."""
    colours = ["#2b7bb9", "#d0352b", "#2e9d48", "#8e44ad"]
    left, right, top, bottom = 90, 140, 10, 90
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(1, len(settings) - 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return left + plot_w * index / count, top + plot_h * (1 - value)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="prplot">']
    for level in (0.0, 0.25, 0.5, 0.75, 1.0):
        _, y = xy(0, level)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{level:.2f}</text>'
        )
    for index, setting in enumerate(settings):
        x, _ = xy(index, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="end" '
            f'transform="rotate(-35 {x:.1f} {top + plot_h + 14})">{escape(setting)}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour = colours[n % len(colours)]
        points = [xy(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
        ly = top + 14 + 18 * n
        parts.append(f'<rect x="{left + plot_w + 14}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{left + plot_w + 32}" y="{ly + 1}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
