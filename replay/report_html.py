"""The HTML report: scores per rule and zone, a timeline per camera (labels vs incidents), evidence
thumbnails, and precision/recall per sweep setting. One self-contained file (pictures inlined)."""

from __future__ import annotations

import base64
from html import escape

from replay.evidence import thumbnail
from replay.report_model import ObjectRecallOut, Report, RunOut, ScoreOut
from replay.runner import PreparedFootage, RunResult, camera_of
from replay.scoring import matched_by_time_only, overlaps
from replay.svg import (
    FALSE_COLOUR,
    HIT_COLOUR,
    LABEL_COLOUR,
    TIME_ONLY_COLOUR,
    Bar,
    precision_recall,
    timeline,
)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
.thumbs{display:flex;flex-wrap:wrap;gap:10px}
figure{margin:0;font-size:12px}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
"""


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _score_rows(scores: dict[str, ScoreOut]) -> str:
    rows = []
    for name, s in scores.items():
        rows.append(
            f"<tr><td>{escape(name)}</td><td>{s.incidents}</td><td>{s.labels}</td><td>{_num(s.precision)}</td>"
            f"<td>{_num(s.recall)}</td><td>{_num(s.f1)}</td><td>{_num(s.mean_delay_s, 1)}</td>"
            f"<td>{_num(s.median_delay_s, 1)}</td><td>{_num(s.false_per_camera_hour, 2)}</td>"
            f"<td>{s.time_only_incidents}</td><td>{s.time_only_labels}</td></tr>"
        )
    head = (
        "<tr><th></th><th>incidents</th><th>labels</th><th>precision</th><th>recall</th><th>F1</th>"
        "<th>mean delay s</th><th>median delay s</th><th>false / camera-hour</th>"
        '<th title="false incidents at a label\'s zone and time, on another object">time-only incidents</th>'
        '<th title="missed labels an incident met in time, on another object">time-only labels</th></tr>'
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _timeline(footage: PreparedFootage, result: RunResult) -> str:
    camera = footage.camera.id
    bars = []
    for truth in result.truths:
        if truth.camera == camera:
            bars.append(
                Bar(
                    f"{truth.zone} {truth.rule.value} label",
                    truth.start - footage.start,
                    truth.end - footage.start,
                    LABEL_COLOUR,
                    f"label {truth.origin}",
                )
            )
    for episode in result.episodes:
        if episode.camera == camera:
            hit = any(overlaps(episode, t) for t in result.truths)
            by_time = matched_by_time_only(episode, result.truths)
            colour = HIT_COLOUR if hit else TIME_ONLY_COLOUR if by_time else FALSE_COLOUR
            what = "matches a label" if hit else "label's time, another object" if by_time else "no label"
            bars.append(
                Bar(
                    f"{episode.zone} {episode.rule.value} incident",
                    episode.start - footage.start,
                    episode.end - footage.start,
                    colour,
                    f"{episode.incident_id} ({what})",
                )
            )
    bars.sort(key=lambda b: b.row)
    return timeline(bars, footage.seconds)


def _thumbs(footage: PreparedFootage, result: RunResult) -> str:
    camera = camera_of(result.site, footage.camera.id)
    figures = []
    for episode in result.episodes:
        if episode.camera != camera.id:
            continue
        data = thumbnail(footage, camera, episode)
        if data is None:
            continue
        src = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        figures.append(
            f'<figure><img src="{src}" alt="evidence {escape(episode.incident_id)}">'
            f"<figcaption>{escape(episode.zone)} {escape(episode.rule.value)} at "
            f"{episode.start - footage.start:.0f}s</figcaption></figure>"
        )
    return f'<div class="thumbs">{"".join(figures)}</div>' if figures else "<p>No incident.</p>"


def object_section(section: ObjectRecallOut | None) -> str:
    """Per-sample detector recall on the labelled objects: one row per placed label."""
    if section is None:
        return ""
    rows = "".join(
        f"<tr><td>{escape(o.camera)}/{escape(o.zone)} {escape(o.rule)} {o.start_offset_s:.0f}–"
        f"{o.end_offset_s:.0f}s</td><td>{o.samples}</td><td>{o.detected}</td><td>{_num(o.recall)}</td></tr>"
        for o in section.per_label
    )
    return (
        "<h2>Detector on the labelled objects</h2>"
        f"<p>Per-sample recall {_num(section.recall)}: the detector found the labelled object in "
        f"{section.detected} of {section.samples} samples ({section.objects} objects).</p>"
        "<table><tr><th>label</th><th>samples</th><th>detected</th><th>recall</th></tr>"
        f"{rows}</table>"
    )


def _setting_name(run: RunOut) -> str:
    return " ".join(f"{k}={v:g}" for k, v in run.params.items()) or "config"


def sweep_section(runs: list[RunOut]) -> str:
    """Precision and recall (overall and per rule) over the sweep's settings, and a table."""
    if not runs:
        return ""
    names = [_setting_name(r) for r in runs]
    parts = ["<h2>Sweep</h2>"]
    series: dict[str, list[float | None]] = {
        "precision": [r.overall.precision for r in runs],
        "recall": [r.overall.recall for r in runs],
    }
    parts.append("<h3>All rules</h3>" + precision_recall(names, series))
    rules = sorted({rule for r in runs for rule in r.per_rule})
    for rule in rules:
        per = [r.per_rule.get(rule) for r in runs]
        rule_series: dict[str, list[float | None]] = {
            "precision": [s.precision if s else None for s in per],
            "recall": [s.recall if s else None for s in per],
        }
        parts.append(f"<h3>{escape(rule)}</h3>" + precision_recall(names, rule_series))
    parts.append(_score_rows({_setting_name(r): r.overall for r in runs}))
    return "".join(parts)


def render(report: Report, prepared: list[PreparedFootage], result: RunResult, title: str = "") -> str:
    """The whole report page."""
    legend = (
        f'<p class="legend"><span style="background:{LABEL_COLOUR}"></span>label'
        f'<span style="background:{HIT_COLOUR}"></span>incident matching a label'
        f'<span style="background:{TIME_ONLY_COLOUR}"></span>incident matching a label by time only '
        "(another object)"
        f'<span style="background:{FALSE_COLOUR}"></span>incident matching no label</p>'
    )
    cameras = []
    for footage in prepared:
        cameras.append(
            f"<h3>{escape(footage.camera.id)} — {escape(str(footage.item.path))} "
            f"({footage.seconds:.0f} s, {len(footage.cached.frames)} frames, "
            f"{'cached' if footage.cache_hit else 'detected'})</h3>"
            + _timeline(footage, result)
            + "<h4>Evidence</h4>"
            + _thumbs(footage, result)
        )
    params = _setting_name(report)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Replay report {escape(title or report.site)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Replay report</h1><p>Site <code>{escape(report.site)}</code>, setting {escape(params)}, "
        f"conf {report.conf:g}.</p>"
        "<h2>Per rule</h2>"
        + _score_rows({"all": report.overall, **report.per_rule})
        + "<h2>Per zone</h2>"
        + _score_rows(report.per_zone)
        + object_section(report.object_recall)
        + "<h2>Timelines</h2>"
        + legend
        + "".join(cameras)
        + sweep_section(report.sweep)
        + "</body></html>"
    )
