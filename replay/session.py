"""A whole replay as the CLI runs it: load, prepare (model or cache), run, sweep, report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gridwatch.config import SiteConfig, SiteConfigError, load_site
from gridwatch.messages import Frame
from replay.cache import DetectionCache
from replay.detect import Detector
from replay.errors import ReplayError
from replay.footage import FootageItem
from replay.labels import Label
from replay.params import Param
from replay.progress import NoProgress, ProgressBar
from replay.report_model import Report, build_report, run_out
from replay.runner import PreparedFootage, RunResult, prepare, prepare_recorded
from replay.sweep import Axis, combinations, label_of, run_setting

Clock = Callable[[], float]


@dataclass
class ReplayRequest:
    """What to replay, with what, and how to score it."""

    site_path: Path
    items: list[FootageItem]
    labels: list[Label] = field(default_factory=list)
    settings: dict[Param, float | int] = field(default_factory=dict)
    axes: list[Axis] = field(default_factory=list)
    conf: float | None = None
    cache: DetectionCache | None = None
    detector: Detector = field(default_factory=Detector)
    recorded: dict[str, list[Frame]] = field(default_factory=dict)


@dataclass
class Outcome:
    """The report and what it was made from (for the HTML report and publishing)."""

    report: Report
    prepared: list[PreparedFootage]
    result: RunResult


def load_candidate(path: Path) -> SiteConfig:
    """The candidate site; ReplayError carrying every problem with its line."""
    try:
        return load_site(path)
    except SiteConfigError as error:
        raise ReplayError(error.report()) from None


def execute(
    request: ReplayRequest,
    *,
    progress: Callable[[str, int | None], ProgressBar] | None = None,
    clock: Clock = time.perf_counter,
) -> Outcome:
    """Prepare the footage, run the main setting (``settings``) and every sweep combination on top of it."""
    if not request.items and not any(request.recorded.values()):
        raise ReplayError("nothing to replay: give --footage (with --camera), --mapping or a gw.frames range")
    site = load_candidate(request.site_path)
    started = clock()
    prepared = prepare(site, request.items, request.detector, request.cache)
    prepared += prepare_recorded(site, request.recorded, request.detector, request.cache)
    prepare_seconds = clock() - started
    floor = max(p.cached.meta.key.score_floor for p in prepared)
    conf = floor if request.conf is None else request.conf
    result = run_setting(site, prepared, request.labels, request.settings, conf)
    runs = []
    if request.axes:
        combos = combinations(request.axes)
        bar = progress("sweep", len(combos)) if progress else NoProgress()
        for combo in combos:
            setting = {**request.settings, **combo}
            swept = run_setting(site, prepared, request.labels, setting, conf)
            runs.append(run_out(swept, label_of(combo)))
            bar.advance()
        bar.finish()
    report = build_report(
        str(request.site_path), prepared, result, label_of(request.settings), prepare_seconds, runs
    )
    return Outcome(report, prepared, result)
