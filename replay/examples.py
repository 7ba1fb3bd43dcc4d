"""Labelled examples from a scored replay: what an operator would have said of each incident, from the labels.

The field's examples come from people's decisions on cases (:mod:`dispatch.labels`). Replayed footage with
ground-truth labels can make the same examples at once, to train a verifier before the first case: each
incident is a *positive* when it matches a label (replay's own scoring) and a *negative* when it does not
(the false alarm an operator would reject). Like a case, an incident gives one example: its latest sighting
(the last message with boxes) on the frame the detector saw then. They are written by the same exporter as
``gridwatch labels export``, so ``gridwatch verifier train`` reads either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2

from dispatch.label_export import ExportFormat, ExportReport, export_labels
from dispatch.persistence.label_tables import LabelRecord, LabelSource, Polarity
from gridwatch.messages.incidents import Incident
from replay.errors import ReplayError
from replay.sampling import frames_at
from replay.scoring import overlaps
from replay.session import Outcome


@dataclass(frozen=True)
class Decided:
    """A sighting of an incident (a message with boxes) and what the labels say of the incident."""

    sighting: Incident
    positive: bool


def decide(outcome: Outcome, *, every_sighting: bool = False) -> list[Decided]:
    """The incidents of the replay with boxes, as positive (it matches a label) or negative: the latest
    sighting of each (as a case gives), or with ``every_sighting`` each of its messages with boxes (more
    views of the same object: new, and every update)."""
    result = outcome.result
    seen: dict[str, list[Incident]] = {}
    for incident in result.incidents:
        if incident.boxes:
            seen.setdefault(incident.incident_id, []).append(incident)
    decided = []
    for episode in result.episodes:
        sightings = seen.get(episode.incident_id, [])
        positive = any(overlaps(episode, truth) for truth in result.truths)
        for sighting in sightings if every_sighting else sightings[-1:]:
            decided.append(Decided(sighting, positive))
    return decided


def write_examples(
    outcome: Outcome,
    out: Path,
    fmt: ExportFormat,
    *,
    max_side: int,
    val_share: float = 0.2,
    every_sighting: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write the replay's decided incidents as a labels export into ``out`` (new or empty)."""
    decided = decide(outcome, every_sighting=every_sighting)
    frames: dict[str, bytes] = {}
    labels: list[LabelRecord] = []
    for footage in outcome.prepared:
        camera = footage.camera
        # replay times frames from the footage's start: find them again by their offset from it
        wanted: dict[float, list[Decided]] = {}
        for d in decided:
            if d.sighting.camera_id == camera.id:
                wanted.setdefault(d.sighting.observed_at - footage.start, []).append(d)
        for offset, frame in frames_at(footage.item, camera.sample_interval_s, max_side, wanted):
            ok, jpeg = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            if not ok:
                raise ReplayError(f"{footage.item.path}: cannot encode the frame at {frame.captured_at}")
            for found in wanted[offset]:  # every zone's incident seen on this frame
                key = f"replay:{found.sighting.incident_id}:{found.sighting.revision}"
                frames[key] = jpeg.tobytes()
                labels.append(_label(len(labels) + 1, found, key, camera.width, camera.height))
    return export_labels(labels, out, fmt, val_share=val_share, fetch=frames.__getitem__, progress=progress)


def _label(index: int, decided: Decided, key: str, width: int, height: int) -> LabelRecord:
    incident = decided.sighting
    at = datetime.fromtimestamp(incident.observed_at, UTC)
    return LabelRecord(
        id=index,
        case_id=f"{incident.incident_id}#{incident.revision}",
        site_id="replay",
        polarity=Polarity.POSITIVE if decided.positive else Polarity.NEGATIVE,
        source=LabelSource.VERIFIED if decided.positive else LabelSource.REJECTED,
        rule=incident.rule.value,
        class_code=incident.class_code.value,
        camera_id=incident.camera_id,
        zone_id=incident.zone_id,
        model_id=incident.model_id,
        frame_url=key,
        evidence_url=None,
        boxes=[list(box) for box in incident.boxes],
        frame_width=width,
        frame_height=height,
        captured_at=at,
        dwell_s=incident.dwell_s,
        labelled_at=at,
        actor="replay-labels",
    )
