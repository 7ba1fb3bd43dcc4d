"""The JSON report of a replay (``--report OUT.json``): scores per rule and zone, incidents, labels, sweep."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from replay.object_recall import ObjectRecall, object_recall
from replay.runner import PreparedFootage, RunResult
from replay.scoring import Scores, matched_by_time_only, overlaps, time_only


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreOut(_Model):
    """Scores of one group (all, a rule, a zone)."""

    incidents: int = Field(description="Incidents (episodes) the rules raised.")
    labels: int = Field(description="Labelled incidents.")
    true_incidents: int = Field(
        description="Incidents overlapping a label of the same camera, zone and class (and, where the label "
        "has a box or point, the labelled object)."
    )
    false_incidents: int = Field(description="Incidents matching no label (time-only matches included).")
    matched_labels: int = Field(description="Labels matched by at least one incident.")
    time_only_incidents: int = Field(
        default=0,
        description="False incidents that overlap a label's camera, zone, class and time but not its object.",
    )
    time_only_labels: int = Field(
        default=0,
        description="Unmatched labels that an incident overlapped in time, on another object of the zone.",
    )
    precision: float | None = Field(description="true_incidents / incidents; null without incidents.")
    recall: float | None = Field(description="matched_labels / labels; null without labels.")
    f1: float | None = Field(description="Harmonic mean of precision and recall; null if either is.")
    mean_delay_s: float | None = Field(
        description="Mean of incident start - label start over matched labels."
    )
    median_delay_s: float | None = Field(
        default=None, description="Median of incident start - label start over matched labels."
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
            time_only_incidents=scores.time_only_incidents,
            time_only_labels=scores.time_only_labels,
            precision=scores.precision,
            recall=scores.recall,
            f1=scores.f1,
            mean_delay_s=scores.mean_delay_s,
            median_delay_s=scores.median_delay_s,
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
    matched_by_time_only: bool = Field(
        default=False,
        description="Matches no label, but overlaps one's camera, zone, class and time on another object.",
    )
    boxes: list[tuple[float, float, float, float]] = Field(
        default_factory=list, description="Every box the incident's messages carried, native pixels."
    )


class LabelOut(_Model):
    """One label and whether an incident found it."""

    camera: str = Field(description="Camera.")
    zone: str = Field(description="Zone.")
    rule: str = Field(description="Rule kind (class).")
    start: float = Field(description="Start, epoch seconds.")
    end: float = Field(description="End, epoch seconds.")
    matched: bool = Field(description="Overlapped by an incident.")
    matched_by_time_only: bool = Field(
        default=False,
        description="Not matched, but an incident overlapped it in camera, zone, class and time on another "
        "object.",
    )
    delay_s: float | None = Field(description="First matching incident start - label start.")
    origin: str = Field(description="file:line the label came from.")
    box: tuple[float, float, float, float] | None = Field(
        default=None, description="The labelled object's box, native pixels."
    )
    point: tuple[float, float] | None = Field(default=None, description="A point on the labelled object.")


class ObjectOut(_Model):
    """Per-sample detector recall on one labelled object (a label with a box or a point)."""

    camera: str = Field(description="Camera.")
    zone: str = Field(description="Zone.")
    rule: str = Field(description="Rule kind (class); its kinds are the detections that count.")
    start_offset_s: float = Field(description="Label start in seconds from the camera's footage start.")
    end_offset_s: float = Field(description="Label end in seconds from the camera's footage start.")
    samples: int = Field(description="Sampled frames in the label's interval.")
    detected: int = Field(description="Of those, frames with a detection of the rule's kinds on the object.")
    recall: float | None = Field(description="detected / samples; null without samples.")
    origin: str = Field(description="file:line the label came from.")


class ObjectRecallOut(_Model):
    """Per-sample detector recall over every placed label: what the detector saw, beside what the rules
    made of it."""

    objects: int = Field(description="Labels with a box or a point on the replayed cameras.")
    samples: int = Field(description="Sampled frames summed over those labels' intervals.")
    detected: int = Field(description="Of those, frames in which the detector found the labelled object.")
    recall: float | None = Field(description="detected / samples; null without samples.")
    per_label: list[ObjectOut] = Field(description="One entry per placed label.")


def object_recall_out(recalls: list[ObjectRecall], starts: dict[str, float]) -> ObjectRecallOut:
    """The report section of per-sample recalls."""
    samples = sum(r.samples for r in recalls)
    detected = sum(r.detected for r in recalls)
    return ObjectRecallOut(
        objects=len(recalls),
        samples=samples,
        detected=detected,
        recall=None if samples == 0 else detected / samples,
        per_label=[
            ObjectOut(
                camera=r.truth.camera,
                zone=r.truth.zone,
                rule=r.truth.rule.value,
                start_offset_s=round(r.truth.start - starts[r.truth.camera], 3),
                end_offset_s=round(r.truth.end - starts[r.truth.camera], 3),
                samples=r.samples,
                detected=r.detected,
                recall=r.recall,
                origin=r.truth.origin,
            )
            for r in recalls
        ],
    )


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
    object_recall: ObjectRecallOut | None = Field(
        default=None,
        description="Per-sample detector recall on labelled objects (labels with a box or point); null "
        "when no label places its object.",
    )
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
            matched_by_time_only=matched_by_time_only(e, result.truths),
            boxes=[(b[0], b[1], b[2], b[3]) for b in e.all_boxes],
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
                matched_by_time_only=not hits and any(time_only(e, truth) for e in result.episodes),
                delay_s=min(hits) - truth.start if hits else None,
                origin=truth.origin,
                box=truth.box,
                point=truth.point,
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
    recalls = object_recall(result.site, prepared, result.truths, result.conf)
    return Report(
        **main.model_dump(),
        site=site_path,
        footage=footage,
        incidents=incidents,
        labels=labels,
        ignored_labels=result.ignored_labels,
        object_recall=object_recall_out(recalls, starts) if recalls else None,
        sweep=sweep or [],
        prepare_seconds=round(prepare_seconds, 3),
    )
