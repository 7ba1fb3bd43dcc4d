"""`gridwatch replay`: recorded footage through sampling, detectors and rules with a candidate site config.

    gridwatch replay --site SITE.yaml --footage clip.mp4 --camera cam-0003 [--labels L.csv]
                     [--report OUT.json] [--html OUT.html] [--sweep dwell=60,120 --sweep conf=0.3,0.5]
                     [--set NAME=V] [--conf C] [--publish-topic gw.replay.incidents]
    gridwatch replay compare A.yaml B.yaml --footage clip.mp4 --camera cam-0003 --labels L.csv
    gridwatch replay promote SITE.yaml --set dwell=120 [--camera cam-0003] [--write | --out NEW.yaml]
    gridwatch replay label --site SITE.yaml --footage clip.mp4 --camera cam-0003 [--port 8765]
    gridwatch replay compose --site SITE.yaml --camera cam-0003 --background clip.mp4 --duration 15m --fps 1
                     (--scenario FILE | --auto N [--decoys K]) --out DIR
    gridwatch replay probe --site SITE.yaml --camera cam-0003 --background clip.mp4 [--object bicycle]
    gridwatch replay cutouts --out LIB [--builtin] [--voc IMAGES LABELS] [--coco JSON IMAGES]

Dry-run by default: incidents go to the report, never to a worker. Detections are cached (by footage, model
and thresholds) under ``$GW_DATA_DIR/replay-cache``, so changing zones or rule parameters re-runs in seconds.
Options of a subcommand go after its name.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.types import Subparsers

if TYPE_CHECKING:
    from gridwatch.messages import Frame
    from replay.compose.session import Setting
    from replay.detect import Detector
    from replay.footage import FootageItem
    from replay.labels import Label
    from replay.progress import ProgressBar
    from replay.session import Outcome, ReplayRequest


def register(subparsers: Subparsers) -> None:
    """Register `gridwatch replay` and its subcommands."""
    parser = subparsers.add_parser(
        "replay",
        help="replay recorded footage through detectors and rules; score against labels; tune",
        description="Runs footage (video files or image folders) as cameras of a candidate site, as fast as "
        "the machine allows; writes a report (dry-run) unless --publish-topic is given.",
    )
    _footage_options(parser)
    parser.add_argument("--site", type=Path, default=None, help="candidate site configuration (YAML)")
    _scoring_options(parser)
    parser.add_argument("--html", type=Path, default=None, metavar="OUT.html", help="write the HTML report")
    parser.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="run every combination from the cache: dwell, clear, cooldown, min_count, inertia, conf "
        "(optionally scoped: ebike_parking.dwell, cam-0003.dwell, cam-0003/z-1.dwell)",
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=V", help="fixed parameter override"
    )
    parser.add_argument(
        "--publish-topic",
        default=None,
        metavar="TOPIC",
        help="also send the incidents to this separate topic (never a live gw.* topic)",
    )
    parser.add_argument(
        "--examples",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write the incidents as labelled examples (matching a label: positive, else negative; "
        "each its latest sighting's frame and boxes) in the `gridwatch labels export` layout, for "
        "`gridwatch verifier train`",
    )
    parser.add_argument(
        "--examples-format", choices=["yolo", "coco"], default="yolo", help="layout of --examples"
    )
    parser.add_argument(
        "--examples-sightings",
        choices=["last", "all"],
        default="last",
        help="--examples per incident: its latest sighting (as a case gives; default) or every message with "
        "boxes (more views of each object)",
    )
    parser.set_defaults(handler=_replay)
    actions = parser.add_subparsers(dest="replay_action", metavar="ACTION")

    compare = actions.add_parser("compare", help="two candidate configs side by side on the same footage")
    compare.add_argument("config_a", type=Path, metavar="A.yaml")
    compare.add_argument("config_b", type=Path, metavar="B.yaml")
    _footage_options(compare)
    _scoring_options(compare)
    compare.set_defaults(handler=_compare)

    promote = actions.add_parser("promote", help="write chosen parameters into the site config, as a diff")
    promote.add_argument("site_file", type=Path, metavar="SITE.yaml")
    promote.add_argument("--set", dest="promote_set", action="append", required=True, metavar="NAME=V")
    promote.add_argument(
        "--camera", dest="promote_cameras", action="append", default=None, help="only these cameras"
    )
    target = promote.add_mutually_exclusive_group()
    target.add_argument("--write", action="store_true", help="overwrite SITE.yaml after printing the diff")
    target.add_argument("--out", type=Path, default=None, help="write the promoted site here instead")
    promote.set_defaults(handler=_promote)

    label = actions.add_parser("label", help="serve the labelling page for the footage")
    label.add_argument("--site", dest="label_site", type=Path, required=True, help="site with the zones")
    _footage_options(label)
    label.add_argument("--labels", dest="label_file", type=Path, default=None, help="labels to start from")
    label.add_argument("--host", default="127.0.0.1")
    label.add_argument("--port", type=int, default=8765)
    label.set_defaults(handler=_label)

    compose = actions.add_parser(
        "compose",
        help="compose a test clip: a camera's recorded background, cut-outs of real objects, ground truth",
        description="Loops the background clip for --duration, pastes parked two-wheelers (episodes), "
        "distractors and decoys at the camera's perspective scale behind the real passers-by, and writes "
        "OUT/frames (replay it with --footage OUT/frames), OUT/labels.csv (with boxes), OUT/manifest.json "
        "and OUT/preview.png.",
    )
    _compose_setting(compose)
    compose.add_argument("--duration", default="15m", help="length of the clip (90s, 15m, 1h); default 15m")
    compose.add_argument("--fps", type=float, default=1.0, help="frames per second of the clip (default 1)")
    what = compose.add_mutually_exclusive_group(required=True)
    what.add_argument("--scenario", type=Path, default=None, metavar="FILE", help="scenario YAML/JSON")
    what.add_argument("--auto", type=int, default=None, metavar="N", help="generate N episodes for the zones")
    compose.add_argument(
        "--distractors", type=int, default=None, metavar="M", help="with --auto: M distractors (default N)"
    )
    compose.add_argument(
        "--objects",
        default=None,
        metavar="CLASSES",
        help="with --auto: only these classes, e.g. bicycle,motorcycle",
    )
    compose.add_argument(
        "--kind",
        choices=("two_wheeler", "trading_object"),
        default="two_wheeler",
        help="with --auto: what the episodes are (trading objects: in zones whose rules watch them)",
    )
    compose.add_argument(
        "--decoys",
        type=_count,
        default=0,
        metavar="K",
        help="with --auto: K decoys, street furniture standing for long in the same zones (no offence, never "
        "labelled: an incident on one is false); default 0",
    )
    compose.add_argument(
        "--decoy-objects",
        default=None,
        metavar="CLASSES",
        help="with --decoys: only these classes, e.g. wheelie_bin,post_box (default: every decoy class of "
        "the library)",
    )
    compose.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    compose.add_argument("--start", default=None, metavar="ISO", help="capture time of the first frame")
    compose.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    compose.add_argument("--mp4", action="store_true", help="also write OUT/clip.mp4 to watch")
    compose.set_defaults(handler=_compose)

    probe = actions.add_parser(
        "probe",
        help="where can this camera see a parked bike: per-zone detection recall and a heatmap",
        description="Pastes reference objects on a grid over every zone at the camera's perspective scale, "
        "runs the detector and writes OUT/probe.json (recall per zone) and OUT/heatmap.png.",
    )
    _compose_setting(probe)
    probe.add_argument(
        "--object", default="bicycle", metavar="CLASS", help="reference object (default bicycle)"
    )
    probe.add_argument("--rounds", type=int, default=2, help="passes over the grid with other cut-outs (2)")
    probe.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    probe.add_argument("--conf", type=float, default=None, help="minimum detection score (default: model's)")
    probe.add_argument("--out", type=Path, default=Path("probe"), metavar="DIR", help="output folder (probe)")
    probe.set_defaults(handler=_probe)

    cutouts = actions.add_parser(
        "cutouts",
        help="build a cut-out library from labelled photos (VOC, COCO, YOLO) or the licensed samples",
        description="Cuts every labelled object out of its photo (GrabCut from the box, else a colour-"
        "contrast mask, else a soft box; feathered), writes DIR/<id>.png, DIR/library.json (class, source, "
        "licence) and DIR/contact.png.",
    )
    cutouts.add_argument("--out", type=Path, required=True, metavar="DIR", help="library folder")
    cutouts.add_argument(
        "--builtin", action="store_true", help="the licensed sample photos of the test-asset cache"
    )
    cutouts.add_argument(
        "--voc", nargs=2, action="append", default=[], metavar=("IMAGES", "LABELS"), help="Pascal VOC XML"
    )
    cutouts.add_argument(
        "--coco", nargs=2, action="append", default=[], metavar=("ANNOTATIONS", "IMAGES"), help="COCO JSON"
    )
    cutouts.add_argument(
        "--yolo", nargs=3, action="append", default=[], metavar=("IMAGES", "LABELS", "NAMES"),
        help="YOLO txt labels; NAMES: a file with one class name per line",
    )  # fmt: skip
    cutouts.add_argument(
        "--classes", default=None, help="only these classes, e.g. bicycle,scooter,motorcycle"
    )
    cutouts.add_argument(
        "--licence", default="unstated", help="licence of the photos read with --voc/--coco/--yolo"
    )
    cutouts.add_argument(
        "--origin", default=None, help="where those photos come from (default: their folder)"
    )
    cutouts.add_argument(
        "--widen", type=_widen_factor, default=1.0, metavar="FACTOR",
        help="widen the photos read with --voc/--coco/--yolo by FACTOR before cutting: for photos stored at "
        "another aspect ratio than they were taken at (e.g. 2 for landscape photos squeezed into 720x1280)",
    )  # fmt: skip
    cutouts.add_argument("--quiet", action="store_true", help="no progress bar")
    cutouts.set_defaults(handler=_cutouts)


def _compose_setting(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", dest="compose_site", type=Path, required=True, help="site with the camera")
    parser.add_argument("--camera", dest="compose_camera", required=True, help="camera id (zones, size)")
    parser.add_argument(
        "--background", type=Path, required=True, metavar="CLIP", help="the camera's recorded footage"
    )
    parser.add_argument(
        "--cutouts", action="append", default=[], type=Path, metavar="LIB",
        help="cut-out library folder (repeatable; default: the licensed samples of the test-asset cache)",
    )  # fmt: skip
    parser.add_argument(
        "--perspective", default=None, metavar="Y1:H1,Y2:H2",
        help="person height H px with the feet at row Y, twice (default: fit on the persons detected)",
    )  # fmt: skip
    parser.add_argument("--model", default=None, metavar="ID", help="catalogue model (default: the default)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="detection cache folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _footage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--footage", action="append", default=[], type=Path, help="video file or image folder (repeatable)"
    )
    parser.add_argument(
        "--camera", action="append", default=[], help="camera id each --footage is replayed as (same order)"
    )
    parser.add_argument(
        "--start", default=None, help="capture time of the first frame, ISO 8601 with zone (one footage)"
    )
    parser.add_argument("--mapping", type=Path, default=None, help="YAML/JSON list of {path, camera, start}")
    parser.add_argument("--stretch", action="store_true", help="accept footage of another aspect ratio")
    parser.add_argument(
        "--loop-for",
        default=None,
        metavar="DURATION",
        help="replay each footage again and again for this long (90s, 15m, 1h): short clips for long dwells",
    )
    parser.add_argument(
        "--frames-from", default=None, metavar="ISO", help="also replay gw.frames from this time (with zone)"
    )
    parser.add_argument("--frames-to", default=None, metavar="ISO", help="... up to this time")
    parser.add_argument(
        "--frames-camera", action="append", default=None, help="only these cameras of gw.frames"
    )


def _scoring_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", type=Path, default=None, help="label file (.csv or .json)")
    parser.add_argument("--report", type=Path, default=None, metavar="OUT.json", help="write the JSON report")
    parser.add_argument("--conf", type=float, default=None, help="minimum detection score (default: model's)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="detection cache folder")
    parser.add_argument("--no-cache", action="store_true", help="run the model without the cache")
    model = parser.add_mutually_exclusive_group()
    model.add_argument(
        "--model",
        default=None,
        metavar="ID",
        help="catalogue model (default: the detector worker's, ssdlite-mobilenetv2-coco90)",
    )
    model.add_argument("--model-config", type=Path, default=None, metavar="YAML", help="custom model")
    model.add_argument("--model-file", type=Path, default=None, metavar="FILE", help="a YOLO .onnx/.xml/.pt")
    parser.add_argument("--backend", choices=("auto", "onnxruntime", "openvino", "ultralytics"), default=None)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _items(args: argparse.Namespace) -> list[FootageItem]:
    from replay.errors import ReplayError
    from replay.footage import FootageItem, load_mapping
    from replay.times import parse_duration

    loop_for: float | None = None
    if getattr(args, "loop_for", None) is not None:
        try:
            loop_for = parse_duration(args.loop_for)
        except ValueError as error:
            raise ReplayError(f"--loop-for: {error}") from None
    items = load_mapping(args.mapping) if args.mapping is not None else []
    if loop_for is not None:
        items = [item.model_copy(update={"loop_for_s": loop_for}) for item in items]
    if len(args.footage) != len(args.camera):
        raise ReplayError(
            f"{len(args.footage)} --footage but {len(args.camera)} --camera: give one camera per footage"
        )
    if args.start is not None and len(args.footage) != 1:
        raise ReplayError("--start applies to exactly one --footage (use a mapping file for several)")
    for path, camera in zip(args.footage, args.camera, strict=True):
        item = FootageItem(
            path=path, camera=camera, start=args.start, stretch=args.stretch, loop_for_s=loop_for
        )
        item.check()
        items.append(item)
    return items


def _progress(args: argparse.Namespace) -> Callable[[str, int | None], ProgressBar]:
    from replay.progress import NoProgress, ProgressBar

    def make(label: str, total: int | None) -> ProgressBar:
        return NoProgress() if args.quiet else ProgressBar(label, total)

    return make


def _detector(args: argparse.Namespace) -> Detector:
    from detectors.backends.factory import BackendChoice
    from detectors.backends.registry import runtime_options
    from detectors.models.custom import CustomModelConfig
    from replay.detect import Detector

    custom = None
    if args.model_config is not None:
        custom = CustomModelConfig.from_yaml(args.model_config)
    elif args.model_file is not None:
        custom = CustomModelConfig.for_file(args.model_file.resolve())
    values: dict[str, object] = {"runtime": runtime_options(args.backend or "auto"), "custom": custom}
    if args.model:
        values["model_id"] = args.model
    choice = BackendChoice.model_validate(values)
    return Detector(choice=choice, progress=_progress(args))


def _request(args: argparse.Namespace, site: Path, labels: list[Label]) -> ReplayRequest:
    from replay.cache import DetectionCache, default_cache_dir
    from replay.session import ReplayRequest
    from replay.sweep import parse_axes, parse_settings

    return ReplayRequest(
        site_path=site,
        items=_items(args),
        labels=labels,
        settings=parse_settings(getattr(args, "set", [])),
        axes=parse_axes(getattr(args, "sweep", [])),
        conf=args.conf,
        cache=None if args.no_cache else DetectionCache(args.cache_dir or default_cache_dir()),
        detector=_detector(args),
        recorded=_recorded(args),
    )


def _recorded(args: argparse.Namespace) -> dict[str, list[Frame]]:
    """The gw.frames time range the arguments ask for (broker from $GW_KAFKA_BOOTSTRAP), or nothing."""
    from gridwatch.broker import KafkaSettings
    from replay.errors import ReplayError
    from replay.frames_topic import FrameRange, read_frames
    from replay.times import parse_iso

    if getattr(args, "frames_from", None) is None and getattr(args, "frames_to", None) is None:
        return {}
    if args.frames_from is None or args.frames_to is None:
        raise ReplayError("a gw.frames range needs both --frames-from and --frames-to")
    try:
        wanted = FrameRange(
            parse_iso(args.frames_from),
            parse_iso(args.frames_to),
            frozenset(args.frames_camera) if args.frames_camera else None,
        )
    except ValueError as error:
        raise ReplayError(f"gw.frames range: {error}") from None
    recorded = read_frames(KafkaSettings.from_env(), wanted)
    print(f"read {sum(len(f) for f in recorded.values())} frames of {len(recorded)} cameras", file=sys.stderr)
    return recorded


def _labels(args: argparse.Namespace) -> list[Label]:
    from replay.labels import read_labels

    return read_labels(args.labels) if args.labels is not None else []


def _fail(error: Exception) -> int:
    print(f"error: {error}", file=sys.stderr)
    return 2


def _replay(args: argparse.Namespace) -> int:
    from replay.errors import ReplayError
    from replay.report_html import render
    from replay.session import execute

    if args.site is None:
        return _fail(ValueError("--site is required (the candidate site configuration)"))
    try:
        if args.publish_topic is not None:
            from replay.publish import check_topic

            check_topic(args.publish_topic)
        request = _request(args, args.site, _labels(args))
        outcome = execute(request, progress=_progress(args))
    except ReplayError as error:
        return _fail(error)
    report = outcome.report
    text = report.model_dump_json(indent=2)
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.report}", file=sys.stderr)
    if args.html is not None:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render(report, outcome.prepared, outcome.result), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    if args.examples is not None:
        code = _write_examples(args, request, outcome)
        if code:
            return code
    if args.publish_topic is not None:
        from gridwatch.broker import KafkaSettings
        from replay.publish import publish

        sent = publish(KafkaSettings.from_env(), args.publish_topic, outcome.result.incidents)
        print(f"published {sent} incident messages to {args.publish_topic}", file=sys.stderr)
    summary = {
        rule: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "incidents": s.incidents}
        for rule, s in report.per_rule.items()
    }
    print(json.dumps({"incidents": report.overall.incidents, "per_rule": summary}, indent=2))
    return 0


def _write_examples(args: argparse.Namespace, request: ReplayRequest, outcome: Outcome) -> int:
    from dispatch.label_export import ExportError, ExportFormat
    from replay.errors import ReplayError
    from replay.examples import write_examples
    from replay.progress import ProgressBar

    bar = ProgressBar("examples", None)
    try:
        written = write_examples(
            outcome,
            args.examples,
            ExportFormat(args.examples_format),
            max_side=request.detector.max_side,
            every_sighting=args.examples_sightings == "all",
            progress=bar.reach,
        )
    except (ReplayError, ExportError) as error:
        return _fail(error)
    bar.finish()
    print("\n".join(written.lines()), file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from replay.compare import side_by_side
    from replay.errors import ReplayError
    from replay.session import execute

    try:
        labels = _labels(args)
        a = execute(_request(args, args.config_a, labels), progress=_progress(args))
        b = execute(_request(args, args.config_b, labels), progress=_progress(args))
    except ReplayError as error:
        return _fail(error)
    print(side_by_side(str(args.config_a), a.report, str(args.config_b), b.report), end="")
    if args.report is not None:
        both = {"a": a.report.model_dump(mode="json"), "b": b.report.model_dump(mode="json")}
        args.report.write_text(json.dumps(both, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.report}", file=sys.stderr)
    return 0


def _promote(args: argparse.Namespace) -> int:
    from replay.errors import ReplayError
    from replay.promote import promote
    from replay.sweep import parse_settings

    try:
        new, diff = promote(args.site_file, parse_settings(args.promote_set), args.promote_cameras)
    except ReplayError as error:
        return _fail(error)
    print(diff, end="")
    if args.write or args.out is not None:
        target = args.site_file if args.write else args.out
        target.write_text(new, encoding="utf-8")
        print(f"wrote {target}", file=sys.stderr)
    else:
        print("(not written: review the diff, then pass --write or --out PATH)", file=sys.stderr)
    return 0


def _setting(args: argparse.Namespace) -> Setting:
    from detectors.backends.factory import BackendChoice
    from replay.cache import DetectionCache, default_cache_dir
    from replay.compose.session import Setting
    from replay.detect import Detector
    from replay.session import load_candidate

    choice = BackendChoice(model_id=args.model) if args.model else BackendChoice()
    return Setting(
        site=load_candidate(args.compose_site),
        camera_id=args.compose_camera,
        background=args.background,
        cutouts=list(args.cutouts),
        perspective=args.perspective,
        detector=Detector(choice=choice, progress=_progress(args)),
        cache=DetectionCache(args.cache_dir or default_cache_dir()),
        progress=_progress(args),
    )


def _compose(args: argparse.Namespace) -> int:
    from gridwatch.detections import ObjectKind
    from replay.compose.session import ComposeRequest, run_compose
    from replay.compose.spec import DEFAULT_START
    from replay.errors import ReplayError
    from replay.times import parse_duration

    try:
        try:
            duration = parse_duration(args.duration)
        except ValueError as error:
            raise ReplayError(f"--duration: {error}") from None
        request = ComposeRequest(
            setting=_setting(args),
            out=args.out,
            duration_s=duration,
            fps=args.fps,
            scenario=args.scenario,
            auto=args.auto,
            distractors=args.distractors,
            objects=[o for o in (args.objects or "").split(",") if o.strip()],
            kind=ObjectKind(args.kind),
            decoys=args.decoys,
            decoy_objects=[o.strip() for o in (args.decoy_objects or "").split(",") if o.strip()],
            seed=args.seed,
            start=args.start or DEFAULT_START,
            mp4=args.mp4,
        )
        result = run_compose(request)
    except ReplayError as error:
        return _fail(error)
    episodes = sum(1 for p in result.placed if p.role == "episode")
    summary = {
        "frames": str(result.frames),
        "count": result.count,
        "labels": str(result.labels),
        "manifest": str(result.manifest),
        "preview": str(result.preview),
        "episodes": episodes,
        "distractors": sum(1 for p in result.placed if p.role not in ("episode", "walker", "decoy")),
        "decoys": sum(1 for p in result.placed if p.role == "decoy"),
    }
    print(json.dumps(summary, indent=2))
    return 0


def _probe(args: argparse.Namespace) -> int:
    from replay.compose.session import run_probe
    from replay.errors import ReplayError

    try:
        report = run_probe(
            _setting(args),
            args.out,
            object_name=args.object,
            rounds=args.rounds,
            seed=args.seed,
            conf=args.conf,
        )
    except ReplayError as error:
        return _fail(error)
    zones = {z.zone: {"recall": z.recall, "found": z.found, "trials": z.trials} for z in report.zones}
    print(json.dumps({"camera": report.camera, "object": report.object, "zones": zones,
                      "heatmap": report.heatmap}, indent=2))  # fmt: skip
    return 0


def _count(text: str) -> int:
    """A count of things to place: a whole number, 0 or more."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"wants a whole number, e.g. 3, not {text!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {count}")
    return count


def _widen_factor(text: str) -> float:
    try:
        factor = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--widen wants a number, e.g. 2, not {text!r}") from None
    if not 0 < factor <= 10:
        raise argparse.ArgumentTypeError(f"--widen must be above 0 and at most 10, not {factor:g}")
    return factor


def _cutouts(args: argparse.Namespace) -> int:
    import cv2

    from replay.compose.builtin import builtin_objects
    from replay.compose.labelled import LabelledObject, read_coco, read_voc, read_yolo, separate
    from replay.compose.library import build_library, contact_sheet, kinds_in, save_library
    from replay.errors import ReplayError

    try:
        objects: list[LabelledObject] = []
        if args.builtin:
            found, missing = builtin_objects()
            if missing:
                print(f"missing sample photos (gridwatch models fetch-test-assets): {', '.join(missing)}",
                      file=sys.stderr)  # fmt: skip
            objects += found
        read: list[LabelledObject] = []
        for images, labels in args.voc:
            origin = args.origin or str(Path(images).resolve())
            read += read_voc(Path(images), Path(labels), licence=args.licence, origin=origin)
        for annotations, images in args.coco:
            origin = args.origin or str(Path(images).resolve())
            read += read_coco(Path(annotations), Path(images), licence=args.licence, origin=origin)
        for images, labels, names in args.yolo:
            classes = [n.strip() for n in Path(names).read_text(encoding="utf-8").splitlines() if n.strip()]
            origin = args.origin or str(Path(images).resolve())
            read += read_yolo(Path(images), Path(labels), classes, licence=args.licence, origin=origin)
        objects += [o.model_copy(update={"widen": args.widen}) for o in separate(read)]
        if args.classes:
            wanted = {c.strip().lower() for c in args.classes.split(",")}
            objects = [o for o in objects if o.class_name.lower() in wanted]
        if not objects:
            raise ReplayError("no labelled object to cut out: give --builtin, --voc, --coco or --yolo")
        bar = _progress(args)("cut out", len(objects))
        library = build_library(objects, bar.advance)
        bar.finish()
        save_library(library, args.out)
    except (ReplayError, OSError) as error:
        return _fail(error)
    cv2.imwrite(str(args.out / "contact.png"), contact_sheet(library))
    print(json.dumps({"library": str(args.out), "classes": kinds_in(library), "skipped": library.skipped},
                     indent=2))  # fmt: skip
    return 0


def _label(args: argparse.Namespace) -> int:
    import uvicorn

    from replay.errors import ReplayError
    from replay.labelling.app import create_app
    from replay.labels import read_labels
    from replay.session import load_candidate

    try:
        site = load_candidate(args.label_site)
        initial = read_labels(args.label_file) if args.label_file is not None else []
        app = create_app(site, _items(args), initial)
    except ReplayError as error:
        return _fail(error)
    print(f"labelling page on http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
