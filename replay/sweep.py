"""Sweeps: ``--sweep dwell=60,120,300 --sweep conf=0.3,0.5`` runs every combination from the cache."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from gridwatch.config import SiteConfig
from replay.errors import ReplayError
from replay.labels import Label
from replay.params import Param, check_scope, conf_of, parse_param, parse_value, with_params
from replay.progress import NoProgress, ProgressBar
from replay.runner import PreparedFootage, RunResult, run


@dataclass(frozen=True, slots=True)
class Axis:
    """One swept parameter and its values."""

    param: Param
    values: tuple[float | int, ...]


def parse_assignment(text: str) -> tuple[Param, list[str]]:
    """``NAME=V1,V2`` split into the parameter and its raw values; ReplayError naming the spec."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip() or not values.strip():
        raise ReplayError(f"sweep {text!r}: expected NAME=VALUE[,VALUE...], e.g. dwell=60,120,300")
    parts = [v.strip() for v in values.split(",")]
    if any(not v for v in parts):
        raise ReplayError(f"sweep {text!r}: an empty value between commas")
    return parse_param(name), parts


def parse_axes(specs: Sequence[str]) -> list[Axis]:
    """The axes of ``--sweep`` specs; ReplayError for a bad spec or a parameter swept twice."""
    axes: list[Axis] = []
    for spec in specs:
        param, raw = parse_assignment(spec)
        if any(axis.param == param for axis in axes):
            raise ReplayError(f"sweep {spec!r}: {param.text} is swept twice")
        values = tuple(parse_value(param, v) for v in raw)
        if len(set(values)) != len(values):
            raise ReplayError(f"sweep {spec!r}: a value repeats")
        axes.append(Axis(param, values))
    return axes


def parse_settings(specs: Sequence[str]) -> dict[Param, float | int]:
    """``--set NAME=VALUE`` specs as one setting."""
    settings: dict[Param, float | int] = {}
    for spec in specs:
        param, raw = parse_assignment(spec)
        if len(raw) != 1:
            raise ReplayError(f"--set {spec!r}: one value only (use --sweep for several)")
        settings[param] = parse_value(param, raw[0])
    return settings


def combinations(axes: list[Axis]) -> list[dict[Param, float | int]]:
    """Every combination of the axes' values, the first axis slowest."""
    return [
        dict(zip([a.param for a in axes], values, strict=True))
        for values in itertools.product(*(a.values for a in axes))
    ]


def label_of(setting: dict[Param, float | int]) -> dict[str, float]:
    """A setting as ``{"dwell": 60, "conf": 0.3}`` for reports."""
    return {param.text: float(value) for param, value in setting.items()}


def run_setting(
    site: SiteConfig,
    prepared: list[PreparedFootage],
    labels: list[Label],
    setting: dict[Param, float | int],
    default_conf: float,
) -> RunResult:
    """One run of the rules with ``setting`` applied to ``site``."""
    cameras = [p.camera.id for p in prepared]
    for param in setting:
        check_scope(param, site, cameras)
    candidate = with_params(site, setting, cameras)
    return run(candidate, prepared, labels, conf=conf_of(setting, default_conf))


def sweep(
    site: SiteConfig,
    prepared: list[PreparedFootage],
    labels: list[Label],
    axes: list[Axis],
    default_conf: float,
    base: dict[Param, float | int] | None = None,
    progress: ProgressBar | None = None,
) -> list[tuple[dict[Param, float | int], RunResult]]:
    """Every combination of ``axes`` (on top of ``base``), run from the prepared (cached) detections."""
    bar = progress or NoProgress()
    results = []
    for combo in combinations(axes):
        setting = {**(base or {}), **combo}
        results.append((combo, run_setting(site, prepared, labels, setting, default_conf)))
        bar.advance()
    bar.finish()
    return results
