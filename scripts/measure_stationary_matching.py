"""Issue #10 decision: follow stationary objects by the detector's track ids, or by the rules' own matcher?

Runs the default model over the team's CCTV clips (sampled like a camera), with the detector worker's
tracker, and feeds the same detections to the rules' stationary matcher (``streams.rules.stationary.track``)
over the whole frame. Reference objects: detections linked greedily across samples by IoU >= 0.5 with the
object's first box (a fixed anchor, so a moving thing never forms one); those present in at least half the
samples are "stationary". For each stationary object it counts how many identities each method gave it
(track ids; matcher candidates, each first_seen reset counting as a new one) and the longest stretch one
identity covered. Prints a table; run from the repository root:

    .venv/bin/python scripts/measure_stationary_matching.py [--interval 1.0] [--conf 0.2]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from detectors.backends.factory import BackendChoice, open_backend
from detectors.boxes import box_iou
from detectors.camera_zones import SiteCameras
from detectors.tracking.registry import TrackerRegistry
from detectors.tracking.settings import TrackerSettings
from detectors.worker.pipeline import DetectionPipeline
from gridwatch.messages import Frame, FrameReason, SourceKind
from ingest.frame_encoder import encode_jpeg
from replay.footage import FootageItem
from replay.sampling import sampled_frames
from streams.rules.stationary import Matching, track

SAME_CLASS = False
CLIPS = ("towncentre_1080p_10s.mp4", "pets2009_vtest.avi", "intel_person_bicycle_car.gif")


@dataclass
class Reference:
    anchor: np.ndarray
    samples: list[int] = field(default_factory=list)
    track_ids: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    track_since: list[float] = field(default_factory=list)
    candidate_since: list[float] = field(default_factory=list)


def longest_run(ids: list[int]) -> int:
    best = run = 0
    previous = None
    for value in ids:
        run = run + 1 if value == previous else 1
        previous = value
        best = max(best, run)
    return best


def measure(path: Path, interval: float, conf: float) -> list[tuple[object, ...]]:
    backend = open_backend(BackendChoice())
    pipeline = DetectionPipeline(
        backend, TrackerRegistry(TrackerSettings(), lambda: 0.0), SiteCameras.from_site(None)
    )
    references: list[tuple[str, Reference]] = []
    candidates: list = []
    identity: dict[int, int] = {}
    next_identity = 0
    how = Matching(match_iou=0.3, move_tolerance=0.5, inertia=2, forget_after_s=60.0)
    count = 0
    classes_of: dict[int, str] = {}
    track_first: dict[int, float] = {}
    for index, sampled in enumerate(sampled_frames(FootageItem(path=path, camera="m"), interval, 960)):
        image = sampled.image
        jpeg = encode_jpeg(image, 80)
        frame = Frame(
            camera_id="m",
            seq=index,
            captured_at=1_000_000.0 + sampled.offset_s,
            width=int(image.shape[1]),
            height=int(image.shape[0]),
            source_kind=SourceKind.FILE,
            reason=FrameReason.KEEPALIVE,
            jpeg=jpeg,
        )
        outcome = pipeline.process([frame])[0]
        assert outcome.message is not None
        dets = [d for d in outcome.message.detections if d.score >= conf and d.kind.value != "person"]
        boxes = [tuple(float(v) for v in d.box) for d in dets]
        # the rules' matcher, whole frame (per class with --same-class: the change this measures)
        if SAME_CLASS:
            merged = []
            for name in sorted({d.class_name for d in dets} | set(classes_of.values())):
                mine = [c for c in candidates if classes_of.get(id(c)) == name]
                got = track(
                    mine, [b for b, d in zip(boxes, dets) if d.class_name == name], frame.captured_at, how
                )
                for c in got:
                    classes_of[id(c)] = name
                merged.extend(got)
            candidates = merged
        else:
            candidates = track(candidates, boxes, frame.captured_at, how)
        box_candidate: dict[int, int] = {}
        box_since: dict[int, float] = {}
        for candidate in candidates:
            if candidate.last_seen == frame.captured_at:
                key = (id(candidate), candidate.first_seen)
                if key not in identity:
                    identity[key] = next_identity
                    next_identity += 1
                for bi, box in enumerate(boxes):
                    if box == tuple(candidate.box):
                        box_candidate[bi] = identity[key]
                        box_since[bi] = candidate.first_seen
        for bi, detection in enumerate(dets):
            box = np.array(detection.box, np.float32)
            best, best_iou = None, 0.5
            for kind, reference in references:
                if kind != detection.class_name:
                    continue
                overlap = float(box_iou(box[None], reference.anchor[None])[0, 0])
                if overlap >= best_iou and (not reference.samples or reference.samples[-1] != index):
                    best, best_iou = reference, overlap
            if best is None:
                best = Reference(box)
                references.append((detection.class_name, best))
            best.samples.append(index)
            best.track_ids.append(-1 if detection.track_id is None else detection.track_id)
            best.candidates.append(box_candidate.get(bi, -1))
            best.times.append(frame.captured_at)
            tid = -1 if detection.track_id is None else detection.track_id
            track_first.setdefault(tid, frame.captured_at)
            best.track_since.append(track_first[tid])
            best.candidate_since.append(box_since.get(bi, frame.captured_at))
        count = index + 1
    rows = []
    for kind, reference in references:
        if len(reference.samples) < max(3, count // 2):
            continue
        rows.append(
            (
                kind,
                len(reference.samples),
                len(set(reference.track_ids)),
                len(set(reference.candidates)),
                longest_run(reference.track_ids),
                longest_run(reference.candidates),
                round(reference.times[-1] - reference.times[0], 1),
                round(reference.times[-1] - reference.track_since[-1], 1),
                round(reference.times[-1] - reference.candidate_since[-1], 1),
            )
        )
    print(f"{path.name}: {count} samples at {interval:g} s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--conf", type=float, default=0.2)
    parser.add_argument("--footage", type=Path, default=Path("../shared/data/footage/cctv"))
    parser.add_argument("--same-class", action="store_true", help="the matcher matches within a class")
    args = parser.parse_args()
    global SAME_CLASS
    SAME_CLASS = args.same_class
    totals = np.zeros(5)
    print(
        "clip | object | samples seen | track ids | matcher identities | longest run: tracker | matcher | "
        "span s | dwell credited at the end: tracker | matcher"
    )
    for name in CLIPS:
        interval = args.interval if name != "towncentre_1080p_10s.mp4" else args.interval / 4
        for row in measure(args.footage / name, interval, args.conf):
            print(name, "|", " | ".join(str(v) for v in row))
            totals += np.array([row[2], row[3], row[6], row[7], row[8]])
    print(
        f"totals: identities tracker {totals[0]:.0f} matcher {totals[1]:.0f}; span {totals[2]:.0f} s, "
        f"dwell credited: tracker {totals[3]:.0f} s, matcher {totals[4]:.0f} s"
    )


if __name__ == "__main__":
    main()
