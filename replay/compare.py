"""Two candidate configurations side by side on the same footage and labels."""

from __future__ import annotations

from replay.report_model import RunOut, ScoreOut


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def side_by_side(name_a: str, a: RunOut, name_b: str, b: RunOut) -> str:
    """A text table per rule (and all): precision, recall, F1, delay, false per camera-hour of A and B."""
    groups = ["all", *sorted(set(a.per_rule) | set(b.per_rule))]
    lines = [f"{'':22} {'A: ' + name_a:>44}   {'B: ' + name_b:>44}"]
    header = "P     R     F1    delay  false/h"
    lines.append(f"{'rule':22} {header:>44}   {header:>44}")

    def row(s: ScoreOut | None) -> str:
        if s is None:
            return "(no such rule)"
        return (
            f"{_cell(s.precision, 2):5} {_cell(s.recall, 2):5} {_cell(s.f1, 2):5} "
            f"{_cell(s.mean_delay_s, 1):6} {_cell(s.false_per_camera_hour, 2):7}"
        )

    for group in groups:
        sa = a.overall if group == "all" else a.per_rule.get(group)
        sb = b.overall if group == "all" else b.per_rule.get(group)
        lines.append(f"{group:22} {row(sa):>44}   {row(sb):>44}")
    return "\n".join(lines) + "\n"
