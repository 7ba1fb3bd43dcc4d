"""The JSON report of a replay (``--report OUT.json``): scores per rule and zone, incidents, labels, sweep."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from replay.runner import PreparedFootage, RunResult
from replay.scoring import Scores, overlaps


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreOut(_Model):
    """Scores of one group (all, a rule, a zone)."""

    incidents: int = Field(description="Incidents (episodes) the rules raised.")
    labels: int = Field(description="Labelled incidents.")
    true_incidents: int = Field(
        description="Incidents overlapping a label of the same camera, zone and class."
    )
    false_incidents: int = Field(description="Incidents overlapping no label.")
    matched_labels: int = Field(description="Labels overlapped by at least one incident.")
    precision: float | None = Field(description="true_incidents / incidents; null without incidents.")
    recall: float | None = Field(description="matched_labels / labels; null without labels.")
    f1: float | None = Field(description="Harmonic mean of precision and recall; null if either is.")
    mean_delay_s: float | None = Field(
        description="Mean of incident start - label start over matched labels."
    )
    camera_hours: float = Field(description="Hours of footage replayed on the cameras of this group.")
    false_per_camera_hour: float | None = Field(description="false_incidents / camera_hours.")

    @classmethod
    def of(cls, scores: Scores) -> ScoreOut:
        return cls(
            incidents=scores.incidents,
            labels=scores.labels,
            true_incidents=scores.true_incidents,
            false_incidents=scores.false_incidents,
            matched_labels=scores.matched_labels,
            precision=scores.precision,
            recall=scores.recall,
            f1=scores.f1,
            mean_delay_s=scores.mean_delay_s,
            camera_hours=scores.camera_hours,
            false_per_camera_hour=scores.false_per_camera_hour,
        )


class FootageOut(_Model):
    """One replayed footage item."""

    path: str = Field(description="The video file or image folder.")
    camera: str = Field(description="Camera it was replayed as.")
    start: float = Field(description="Epoch seconds of its first frame.")
    seconds: float = Field(description="Footage seconds replayed.")
    frames: int = Field(description="Sampled frames.")
    cache_hit: bool = Field(description="Whether detections came from the cache.")
    detect_seconds: float = Field(description="Seconds the model took when the entry was made.")


class IncidentOut(_Model):
    """One incident episode."""

    incident_id: str = Field(description="Incident id.")
    camera: str = Field(description="Camera.")
    zone: str = Field(description="Zone.")
    rule: str = Field(description="Rule kind.")
    start: float = Field(description="When it opened, epoch seconds.")
    end: float = Field(description="When it ended (or the footage ended), epoch seconds.")
    start_offset_s: float = Field(description="Start in seconds from the camera's footage start.")
    end_offset_s: float = Field(description="End in seconds from the camera's footage start.")
    open_at_end: bool = Field(description="Still open when the footage ended.")
    dwell_s: float = Field(description="Dwell reported by the last message.")
    matched: bool = Field(description="Overlaps a label of the same camera, zone and class.")


class LabelOut(_Model):
    """One label and whether an incident found it."""

    camera: str = Field(description="Camera.")
    zone: str = Field(description="Zone.")
    rule: str = Field(description="Rule kind (class).")
    start: float = Field(description="Start, epoch seconds.")
    end: float = Field(description="End, epoch seconds.")
    matched: bool = Field(description="Overlapped by an incident.")
    delay_s: float | None = Field(description="First matching incident start - label start.")
    origin: str = Field(description="file:line the label came from.")


class RunOut(_Model):
    """Scores of one setting."""

    params: dict[str, float] = Field(description="Parameter values of this run (empty: the config as is).")
    conf: float = Field(description="Minimum detection score the rules saw.")
    overall: ScoreOut = Field(description="All rules and zones together.")
    per_rule: dict[str, ScoreOut] = Field(description="Scores per rule kind.")
    per_zone: dict[str, ScoreOut] = Field(description="Scores per camera/zone.")
    rules_seconds: float = Field(description="Seconds the rules took over all footage.")


class Report(RunOut):
    """The whole report: the main run's scores at the top level, details and the sweep below."""

    site: str = Field(description="Candidate site configuration.")
    footage: list[FootageOut] = Field(description="What was replayed.")
    incidents: list[IncidentOut] = Field(description="Incident episodes of the main run.")
    labels: list[LabelOut] = Field(description="Labels of the replayed cameras.")
    ignored_labels: list[str] = Field(description="Labels of cameras that were not replayed.")
    sweep: list[RunOut] = Field(default_factory=list, description="One entry per sweep setting.")
    prepare_seconds: float = Field(description="Seconds spent getting detections (model or cache).")


def run_out(result: RunResult, params: dict[str, float]) -> RunOut:
    """The scores part of a run."""
    scores = result.scores
    return RunOut(
        params=params,
        conf=result.conf,
        overall=ScoreOut.of(scores.overall),
        per_rule={k: ScoreOut.of(v) for k, v in scores.per_rule.items()},
        per_zone={k: ScoreOut.of(v) for k, v in scores.per_zone.items()},
        rules_seconds=round(result.rules_seconds, 6),
    )


def build_report(
    site_path: str,
    prepared: list[PreparedFootage],
    result: RunResult,
    params: dict[str, float],
    prepare_seconds: float,
    sweep: list[RunOut] | None = None,
) -> Report:
    """The report of a main run (and its sweep)."""
    starts = {p.camera.id: p.start for p in prepared}
    incidents = [
        IncidentOut(
            incident_id=e.incident_id,
            camera=e.camera,
            zone=e.zone,
            rule=e.rule.value,
            start=e.start,
            end=e.end,
            start_offset_s=round(e.start - starts[e.camera], 3),
            end_offset_s=round(e.end - starts[e.camera], 3),
            open_at_end=e.open_at_end,
            dwell_s=round(e.dwell_s, 3),
            matched=any(overlaps(e, t) for t in result.truths),
        )
        for e in result.episodes
    ]
    labels = []
    for truth in result.truths:
        hits = [e.start for e in result.episodes if overlaps(e, truth)]
        labels.append(
            LabelOut(
                camera=truth.camera,
                zone=truth.zone,
                rule=truth.rule.value,
                start=truth.start,
                end=truth.end,
                matched=bool(hits),
                delay_s=min(hits) - truth.start if hits else None,
                origin=truth.origin,
            )
        )
    footage = [
        FootageOut(
            path=str(p.item.path),
            camera=p.camera.id,
            start=p.start,
            seconds=round(p.seconds, 3),
            frames=len(p.cached.frames),
            cache_hit=p.cache_hit,
            detect_seconds=p.cached.meta.detect_seconds,
        )
        for p in prepared
    ]
    main = run_out(result, params)
    return Report(
        **main.model_dump(),
        site=site_path,
        footage=footage,
        incidents=incidents,
        labels=labels,
        ignored_labels=result.ignored_labels,
        sweep=sweep or [],
        prepare_seconds=round(prepare_seconds, 3),
    )
