"""`gridwatch bench feedback`: the whole learning loop on labelled footage, through the real dispatch.

1. replay each training scene through the live path (detector, static foreground, rules) and keep, for every
   incident message with boxes, the clean frame the detector saw (``.raw.jpg``) beside its snapshot, as the
   detector's evidence writer does;
2. file every incident into a real dispatch core (its own SQLite database) in time order, and act on each new
   case as people would, told by the scene's labels: an operator rejects a false alarm; a true one is
   confirmed, accepted, photographed, handled and verified by the grid's leader. Those decisions write the
   labelled examples (``dispatch.labels``), nothing else does;
3. export them (``gridwatch labels export`` code) and train a verifier on them;
4. replay the held-out scene with and without the verifier, side by side.

It writes a JSON report with the scores and the seconds of each step; all of it stays in ``--out``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bootstrap.dispatch import build_core
from detectors.models.cache import ModelFiles
from detectors.models.registry import SSD_MODEL_ID, get_model_spec
from detectors.verifier.train import train_verifier
from dispatch.domain import commands as c
from dispatch.domain.actors import Actor
from dispatch.label_export import ExportFormat, export_labels, read_frame
from dispatch.persistence.case_tables import CaseRecord
from dispatch.persistence.engine import make_engine
from dispatch.persistence.label_tables import LabelRecord
from dispatch.persistence.migrate import upgrade
from dispatch.persistence.site_sync import sync_site
from dispatch.photos import PhotoStore
from dispatch.push.notice import DeliveryAttempt, DeliveryOutcome, DeliveryProgress, DeliveryStep, TaskNotice
from dispatch.settings import DispatchSettings
from gridwatch.config import Person, SiteConfig, load_site
from gridwatch.messages import CaseEvent, Incident, Lifecycle
from replay.cache import DetectionCache, default_cache_dir
from replay.compare import side_by_side
from replay.detect import Detector
from replay.examples import decide
from replay.footage import FootageItem
from replay.labels import read_labels
from replay.report_model import RunOut
from replay.sampling import frames_at
from replay.session import Outcome, ReplayRequest, execute

Say = Callable[[str], None]


class _Quiet:
    """Notices are delivered to nobody here (the loop is about decisions, not phones)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock

    def attempt(self, person: Person, notice: TaskNotice, progress: DeliveryProgress) -> DeliveryStep:
        done = DeliveryAttempt(channel="webpush", ok=True, detail="bench", at=self._clock())
        return DeliveryStep.finished(DeliveryOutcome(person.id, True, "webpush", (*progress.attempts, done)))


@dataclass
class _Events:
    events: list[CaseEvent] = field(default_factory=list)

    def publish(self, events: Sequence[CaseEvent]) -> None:
        self.events.extend(events)


@dataclass
class _Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def _replay(site: Path, scene: Path, camera: str, detector: Detector) -> Outcome:
    """A composed scene (``frames/``, ``labels.csv``, as `replay compose` writes them) as ``camera``."""
    return execute(
        ReplayRequest(
            site_path=site,
            items=[FootageItem(path=scene / "frames", camera=camera)],
            labels=read_labels(scene / "labels.csv"),
            cache=DetectionCache(default_cache_dir()),
            detector=detector,
        )
    )


def _as_scene(incidents: list[Incident], index: int) -> list[Incident]:
    """Composed scenes of one camera share their clock: scene ``index`` is moved ``index`` days on (and its
    incident ids follow), so the cases of different scenes never meet."""
    shift = index * 86400.0
    moved = []
    for i in incidents:
        update: dict[str, object] = {
            "incident_id": f"s{index}-{i.incident_id}"[:128],
            "started_at": i.started_at + shift,
            "observed_at": i.observed_at + shift,
        }
        if i.ended_at is not None:
            update["ended_at"] = i.ended_at + shift
        moved.append(i.model_copy(update=update))
    return moved


def _with_evidence(outcome: Outcome, folder: Path, max_side: int) -> list[Incident]:
    """The replay's incidents; those with boxes carry a file:// snapshot, its clean frame beside it."""
    (footage,) = outcome.prepared
    offsets = {i.observed_at - footage.start for i in outcome.result.incidents if i.boxes}
    urls: dict[float, str] = {}
    for offset, frame in frames_at(footage.item, footage.camera.sample_interval_s, max_side, offsets):
        stem = folder / footage.camera.id / f"{len(urls):06d}"
        stem.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(stem) + ".raw.jpg", frame.image)
        shutil.copyfile(str(stem) + ".raw.jpg", str(stem) + ".jpg")
        urls[offset] = (stem.parent / (stem.name + ".jpg")).resolve().as_uri()
    return [
        i.model_copy(update={"evidence_url": urls[i.observed_at - footage.start]}) if i.boxes else i
        for i in outcome.result.incidents
    ]


def _decide_in_dispatch(
    site: SiteConfig, outcomes: list[tuple[Outcome, list[Incident]]], out: Path, say: Say
) -> dict[str, int]:
    """File every incident into a dispatch core and act on each new case as people would."""
    engine = make_engine(f"sqlite:///{out / 'dispatch.db'}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        sync_site(session, site)
    clock = _Clock(datetime.now(UTC))
    core = build_core(engine, site, DispatchSettings(timer_poll_s=60.0), clock, _Quiet(clock), _Events())
    photos = PhotoStore(out / "photos")
    operator = Actor(site.operators()[0])
    counts = {"cases": 0, "rejected": 0, "verified": 0}
    for index, (outcome, scene_incidents) in enumerate(outcomes):
        truth = {f"s{index}-{d.sighting.incident_id}"[:128]: d.positive for d in decide(outcome)}
        incidents = _as_scene(scene_incidents, index)
        for incident in sorted(incidents, key=lambda i: (i.observed_at, i.revision)):
            clock.now = datetime.fromtimestamp(incident.observed_at, UTC)
            core.bus.handle(c.ReceiveIncident(incident))
            if incident.lifecycle is not Lifecycle.NEW or incident.incident_id not in truth:
                continue
            counts["cases"] += 1
            with Session(engine) as session:
                case = session.scalars(
                    select(CaseRecord).where(CaseRecord.incident_id == incident.incident_id)
                ).one()
                case_id, state, grid = case.id, case.state.value, case.micro_grid_id
            if not truth[incident.incident_id]:
                core.bus.handle(c.RejectCase(case_id, operator, reason="no goods there (the labels say)"))
                counts["rejected"] += 1
                continue
            if state == "filed":
                core.bus.handle(c.ConfirmCase(case_id, operator, note="seen on the camera"))
            with Session(engine) as session:
                assigned = session.get(CaseRecord, case_id)
                assignee = None if assigned is None else assigned.assignee_id
            worker = Actor(site.person(str(assignee)))
            core.bus.handle(c.AcceptCase(case_id, worker))
            jpeg = Path(
                str(incident.evidence_url).removeprefix("file://")
            ).read_bytes()  # the spot, as photographed
            photo = core.bus.handle(c.AddPhoto(case_id, worker, data=jpeg, store=photos))
            core.bus.handle(
                c.HandleCase(case_id, worker, note="goods moved back inside", photo_ids=(photo.id,))
            )
            core.bus.handle(c.VerifyCase(case_id, Actor(site.leader_of(grid)), note="checked on the spot"))
            counts["verified"] += 1
    core.stop()
    with Session(engine) as session:
        labels = list(session.scalars(select(LabelRecord).order_by(LabelRecord.id)))
        session.expunge_all()
    engine.dispose()
    say(
        f"dispatch: {counts['cases']} cases, {counts['rejected']} rejected, {counts['verified']} verified, "
        f"{len(labels)} labelled examples"
    )
    export_labels(labels, out / "export", ExportFormat.YOLO, fetch=read_frame)
    return {**counts, "labels": len(labels)}


def run_feedback(
    site_path: Path, camera: str, train: list[Path], test: Path, out: Path, say: Say, max_side: int = 960
) -> dict[str, Any]:
    """The loop, timed step by step; the report."""
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    site = load_site(site_path)
    detector = Detector(max_side=max_side)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    outcomes = []
    for scene in train:
        outcome = _replay(site_path, scene, camera, detector)
        outcomes.append((outcome, _with_evidence(outcome, out / "evidence" / scene.name, max_side)))
        say(f"replayed {scene}: {len(outcome.result.episodes)} incidents")
    seconds["replay_training_scenes"] = time.perf_counter() - started
    started = time.perf_counter()
    counts = _decide_in_dispatch(site, outcomes, out, say)
    seconds["dispatch_decisions_and_export"] = time.perf_counter() - started
    started = time.perf_counter()
    spec = get_model_spec(SSD_MODEL_ID)
    info = train_verifier(
        out / "export",
        ModelFiles.of(spec).onnx,
        f"{spec.id}@{spec.version}",
        out / "verifier",
        now=datetime.now(UTC),
    )
    seconds["verifier_train"] = time.perf_counter() - started
    say(
        f"verifier {info.id}: {info.positives}+/{info.negatives}- crops; cross-validated "
        f"{info.cross_validation.model_dump()}"
    )
    promoted = out / "with-verifier.yaml"
    text = site_path.read_text(encoding="utf-8")
    marker = f"- id: {camera}\n"
    if marker not in text:
        raise ValueError(f"{site_path}: no block camera entry '- id: {camera}' to add the verifier to")
    indent = text[: text.index(marker)].rsplit("\n", 1)[-1]
    promoted.write_text(
        text.replace(marker, f"{marker}{indent}  detection: {{verifier: {out / 'verifier'}}}\n", 1),
        encoding="utf-8",
    )
    started = time.perf_counter()
    before = _replay(site_path, test, camera, detector)
    after = _replay(promoted, test, camera, detector)
    seconds["replay_compare"] = time.perf_counter() - started
    table = side_by_side(str(site_path), _run(before), str(promoted), _run(after))
    say(table)
    report = {
        "train": [str(p) for p in train],
        "test": str(test),
        "dispatch": counts,
        "verifier": info.model_dump(mode="json"),
        "before": _run(before).overall.model_dump(mode="json"),
        "after": _run(after).overall.model_dump(mode="json"),
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
    }
    (out / "report.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return report


def _run(outcome: Outcome) -> RunOut:
    return outcome.report
