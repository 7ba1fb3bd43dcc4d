"""`gridwatch models`: build detection models from package registries, list them, fetch test images.

    gridwatch models build [--model ID] [--force]   download, verify, convert to ONNX, record the licence
    gridwatch models list                            the catalogue, what is built, and the trained verifiers
    gridwatch models fetch-test-assets               sample images for tests (never committed)
    gridwatch models eval --images DIR --labels PATH  recall, precision, AP and PR curves of every built model
    gridwatch models train --data EXPORT --base yolo11n.yaml   fine-tune with ultralytics (the train extra)
    gridwatch models promote ID --site SITE.yaml --camera CAM [--zone Z] [--write]   a model or verifier
    gridwatch models rollback --site SITE.yaml --camera CAM [--zone Z] [--field verifier] [--write]

Models are cached in ``$GW_MODEL_CACHE`` (default ``~/.cache/gridwatch/models``), test images in
``$GW_TEST_ASSETS`` (default ``~/.cache/gridwatch/test-assets``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.types import Subparsers


def register(subparsers: Subparsers) -> None:
    """Register `gridwatch models` and its subcommands."""
    parser = subparsers.add_parser("models", help="build and list detection models; fetch test assets")
    commands = parser.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)

    build = commands.add_parser("build", help="build catalogue models into the model cache (idempotent)")
    build.add_argument(
        "--model", action="append", dest="models", metavar="ID", help="model id (repeatable; default: all)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even when a verified build exists")
    build.add_argument("--cache-dir", type=Path, default=None, help="model cache (default: $GW_MODEL_CACHE)")
    build.set_defaults(handler=_build)

    listing = commands.add_parser("list", help="list catalogue models, their licences and build state")
    listing.add_argument(
        "--cache-dir", type=Path, default=None, help="model cache (default: $GW_MODEL_CACHE)"
    )
    listing.add_argument(
        "--verifiers", type=Path, default=None, help="verifier store (default: $GW_VERIFIER_DIR)"
    )
    listing.set_defaults(handler=_list)

    assets = commands.add_parser("fetch-test-assets", help="fetch sample images used by the tests")
    assets.add_argument("--dest", type=Path, default=None, help="directory (default: $GW_TEST_ASSETS)")
    assets.add_argument("--force", action="store_true", help="fetch again even when present")
    assets.set_defaults(handler=_fetch_test_assets)

    _register_eval(commands)
    _register_train(commands)
    _register_promote(commands)


def _register_train(commands: Subparsers) -> None:
    train = commands.add_parser(
        "train",
        help="fine-tune a YOLO model with ultralytics on a labels export (the train extra), offline; "
        "export ONNX (and OpenVINO IR), register it",
        description="Train with ultralytics on a `gridwatch labels export --format yolo` folder, from a "
        "model definition it ships (yolo11n.yaml: random weights) or weights on this machine (an absolute "
        ".pt path); nothing is downloaded. Writes model.onnx, model.yaml (a custom model the worker and "
        "replay read: --model-config) and training.json (metrics, data hash, parent).",
    )
    train.add_argument("--data", type=Path, required=True, help="a YOLO labels export folder")
    train.add_argument("--base", required=True, help="yolo11n.yaml (or another definition), or /path/to/w.pt")
    train.add_argument("--epochs", type=int, default=30, help="epochs (default 30)")
    train.add_argument("--imgsz", type=int, default=640, help="input size (default 640)")
    train.add_argument("--batch", type=int, default=8, help="batch size (default 8)")
    train.add_argument("--device", default="cpu", help="cpu, or a CUDA device such as 0")
    train.add_argument("--id", default=None, help="model id (default: site-yolo-<time>)")
    train.add_argument(
        "--out", type=Path, default=None, help="folder to write (default: $GW_TRAINED_MODELS/<id>)"
    )
    train.set_defaults(handler=_train)


def _train(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from detectors.models.trained import trained_models_dir
    from detectors.training.yolo_train import TrainingSetupError, train_yolo

    model_id = args.id or f"site-yolo-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    out = args.out or trained_models_dir() / model_id
    try:
        record = train_yolo(
            args.data,
            args.base,
            out,
            model_id=model_id,
            epochs=args.epochs,
            imgsz=args.imgsz,
            batch=args.batch,
            device=args.device,
            now=lambda: datetime.now(UTC),
            say=_say,
        )
    except TrainingSetupError as error:
        print(f"gridwatch models train: error: {error}", file=sys.stderr)
        return 2
    print(f"registered {record.id} {record.version} in {out}: {', '.join(record.formats)}")
    print(f"run it with --model-config {out / 'model.yaml'} (gridwatch detect, replay)")
    return 0


def _register_eval(commands: Subparsers) -> None:
    evaluate = commands.add_parser(
        "eval",
        help="recall, precision, AP and PR curves per kind and size of every built model on labelled images",
        description="Measure catalogue models (and their ensemble, and custom models) on labelled images: "
        "per kind and size bucket, recall and precision at each model's operating threshold, AP and PR "
        "curves, at IoU 0.3 and 0.5; then their speed, interleaved. Offline.",
    )
    evaluate.add_argument("--images", type=Path, required=True, metavar="DIR", help="folder of the images")
    evaluate.add_argument(
        "--labels", type=Path, required=True, metavar="PATH", help="VOC/YOLO labels folder or COCO .json"
    )
    evaluate.add_argument(
        "--format", choices=("voc", "coco", "yolo"), default=None, help="label format (default: recognised)"
    )
    evaluate.add_argument(
        "--class-map", type=Path, default=None, metavar="FILE", help="YAML/JSON `label class: kind` overrides"
    )
    evaluate.add_argument(
        "--models",
        default="all",
        help="all (every catalogue model and their ensemble) or ids separated by commas, e.g. "
        "centernet-coco80,ensemble:centernet-coco80+ssdlite-mobilenetv2-coco90",
    )
    evaluate.add_argument(
        "--model-config",
        type=Path,
        action="append",
        default=[],
        metavar="YAML",
        help="a custom model (as for `gridwatch detect --model-config`) evaluated too (repeatable)",
    )
    evaluate.add_argument("--runtime", choices=("auto", "onnxruntime", "openvino"), default="auto")
    evaluate.add_argument(
        "--min-score", type=float, default=0.05, help="lowest score kept for AP and PR curves (default 0.05)"
    )
    evaluate.add_argument("--small-below", type=float, default=48.0, help="small: boxes less tall (px)")
    evaluate.add_argument("--large-above", type=float, default=128.0, help="large: boxes taller (px)")
    evaluate.add_argument("--speed-rounds", type=int, default=3, help="timing rounds, best counts; 0: none")
    evaluate.add_argument("--speed-frames", type=int, default=16, help="images timed per round")
    evaluate.add_argument("--max-batch", type=int, default=8, help="most images per model run")
    evaluate.add_argument(
        "--views",
        choices=("zone_tiles", "whole"),
        default="zone_tiles",
        help="zone_tiles (default): detect as the worker does, the whole image being one zone; whole: each "
        "image squeezed into the model input",
    )
    evaluate.add_argument(
        "--cache-dir", type=Path, default=None, help="model cache (default: $GW_MODEL_CACHE)"
    )
    evaluate.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the report as JSON")
    evaluate.add_argument("--plot", type=Path, default=None, metavar="PNG", help="draw the PR curves")
    evaluate.add_argument("--html", type=Path, default=None, metavar="OUT", help="write an HTML report")
    evaluate.add_argument("--markdown", type=Path, default=None, metavar="OUT", help="write Markdown tables")
    evaluate.set_defaults(handler=_eval)


def _say(line: str) -> None:
    print(line, flush=True)


def _build(args: argparse.Namespace) -> int:
    from detectors.models.build import ModelBuildError, build_model
    from detectors.models.cache import ModelFiles
    from detectors.models.npm_registry import IntegrityError
    from detectors.models.registry import catalogue

    known = catalogue()
    wanted = args.models or list(known)
    unknown = [m for m in wanted if m not in known]
    if unknown:
        print(f"unknown model(s) {unknown}; known: {sorted(known)}", file=sys.stderr)
        return 2
    for model_id in wanted:
        spec = known[model_id]
        try:
            build_model(spec, ModelFiles.of(spec, args.cache_dir), force=args.force, progress=_say)
        except (ModelBuildError, IntegrityError, OSError) as error:
            print(f"error: building {model_id} failed: {error}", file=sys.stderr)
            return 1
    return 0


def _list(args: argparse.Namespace) -> int:
    from detectors.models.cache import ModelFiles
    from detectors.models.registry import catalogue

    for spec in catalogue().values():
        files = ModelFiles.of(spec, args.cache_dir)
        state = f"built: {files.onnx}" if files.is_built(verify=False) else "not built"
        print(f"{spec.id}  {spec.version}  licence {spec.licence.spdx}  ({state})")
        print(f"    {spec.title}")
        print(
            f"    source: npm {spec.source.package}@{spec.source.version}; upstream: {spec.licence.upstream}"
        )
    _list_trained()
    return _list_verifiers(args.verifiers)


def _list_trained() -> None:
    from detectors.models.trained import trained_models_dir
    from detectors.training.yolo_train import list_trained

    root = trained_models_dir()
    trained = list_trained(root)
    print(f"trained models in {root}: {len(trained)}")
    for folder, record in trained:
        figures = ", ".join(f"{k.removeprefix('metrics/')} {v:.3f}" for k, v in record.metrics.items())
        print(
            f"{record.id}  {record.version}  classes {', '.join(record.classes)}  ({folder / 'model.yaml'})"
        )
        print(
            f"    from {record.parent}, {record.epochs} epoch(s) at {record.imgsz} px on {record.data} "
            f"(sha256 {record.data_sha256[:12]}), {record.created_at:%Y-%m-%d %H:%M}"
        )
        print(f"    {figures or 'no metrics'}")


def _list_verifiers(root: Path | None) -> int:
    from detectors.verifier.store import list_verifiers, verifier_store_dir

    store = root or verifier_store_dir()
    verifiers, problems = list_verifiers(store)
    print(f"verifiers in {store}: {len(verifiers)}")
    for folder, info in verifiers:
        cv = info.cross_validation

        def share(value: float | None) -> str:
            return "-" if value is None else f"{value:.2f}"

        print(f"{info.id}  applies to {', '.join(info.applies_to)}  base {info.base_model}  ({folder})")
        print(
            f"    trained {info.created_at:%Y-%m-%d %H:%M} on {info.positives}+/{info.negatives}- crops of "
            f"{info.data} (sha256 {info.data_sha256[:12]}); parent {info.parent or '-'}"
        )
        print(
            f"    cross-validated: precision {share(cv.precision)}, recall {share(cv.recall)}, "
            f"negatives removed {share(cv.negatives_removed)} ({cv.folds} folds"
            f", grouped by {cv.grouping})"
        )
    for line in problems:
        print(f"    {line}", file=sys.stderr)
    return 0


def _fetch_test_assets(args: argparse.Namespace) -> int:
    from detectors.models.cache import asset_cache_dir
    from detectors.models.test_assets import TestAssetError, fetch_test_assets

    try:
        fetch_test_assets(args.dest or asset_cache_dir(), _say, force=args.force)
    except (TestAssetError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _eval(args: argparse.Namespace) -> int:
    import shlex

    from pydantic import ValidationError

    from detectors.evaluation.evaluate import EvaluationRequest, evaluate_models
    from detectors.evaluation.html_page import write_html
    from detectors.evaluation.kinds import ClassMapFileError
    from detectors.evaluation.labels import LabelError, LabelFormat
    from detectors.evaluation.plot import draw_pr_curves
    from detectors.evaluation.results import SizeBuckets
    from detectors.evaluation.runner import EvaluationSettings
    from detectors.evaluation.table import markdown_report, text_report
    from detectors.models.custom import CustomModelConfig

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        request = EvaluationRequest(
            images_dir=args.images,
            labels=args.labels,
            label_format=LabelFormat(args.format) if args.format else None,
            class_map=args.class_map,
            models=args.models,
            custom=tuple(CustomModelConfig.from_yaml(path) for path in args.model_config),
            runtime=args.runtime,
            settings=EvaluationSettings(
                min_score=args.min_score,
                size_buckets=SizeBuckets(small_below=args.small_below, large_above=args.large_above),
            ),
            cache_dir=args.cache_dir,
            max_batch_size=args.max_batch,
            speed_rounds=args.speed_rounds,
            speed_frames=args.speed_frames,
            views=args.views,
            command=shlex.join(["gridwatch", *sys.argv[1:]]) if sys.argv[1:2] == ["models"] else "",
        )
        report = evaluate_models(request, progress)
    except (LabelError, ClassMapFileError, ValidationError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(text_report(report))
    outputs = []
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        outputs.append(args.json)
    if args.plot is not None:
        draw_pr_curves(report, args.plot)
        outputs.append(args.plot)
    if args.html is not None:
        write_html(report, args.html)
        outputs.append(args.html)
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown_report(report), encoding="utf-8")
        outputs.append(args.markdown)
    for path in outputs:
        print(f"wrote {path}")
    return 0 if report.models else 1


# --- promote and rollback -----------------------------------------------------------------------------------
def _register_promote(commands: Subparsers) -> None:
    promote = commands.add_parser(
        "promote",
        help="set a catalogue model or a trained verifier on cameras (or a zone) of the site, as a diff",
        description="Set a camera's detection.model (a catalogue id or ensemble:A+B), a zone's model "
        "(--zone), or a camera's detection.verifier (the id of a verifier in the store: its folder) in the "
        "site YAML; the file is edited at the camera's place, validated, and the change printed as a unified "
        "diff after the replay comparison that measures it; written, and logged beside the site file "
        "(SITE.yaml.promotions.jsonl), only with --write. Running workers pick it up when restarted.",
    )
    promote.add_argument(
        "model_id", metavar="ID", help="a catalogue model id, ensemble:A+B, or a verifier id"
    )
    promote.add_argument("--site", type=Path, required=True, metavar="SITE.yaml", help="the site file")
    which = promote.add_mutually_exclusive_group(required=True)
    which.add_argument("--camera", default=None, help="the camera's id")
    which.add_argument("--all-cameras", action="store_true", help="every camera of the site")
    promote.add_argument("--zone", default=None, help="set the model of this zone of --camera (models only)")
    promote.add_argument("--by", default=None, help="who promotes it (a person id), for the log")
    promote.add_argument(
        "--verifiers", type=Path, default=None, help="verifier store (default: $GW_VERIFIER_DIR)"
    )
    promote.add_argument(
        "--footage",
        type=Path,
        default=None,
        help="replay this clip or image folder as --camera with the current and the promoted site first, "
        "side by side (with --labels)",
    )
    promote.add_argument("--labels", type=Path, default=None, help="labels of --footage (.csv or .json)")
    promote.add_argument(
        "--write", action="store_true", help="write the file and log it (default: only show)"
    )
    promote.set_defaults(handler=_promote)

    rollback = commands.add_parser(
        "rollback",
        help="undo the latest promotion of a camera's (or zone's) model or verifier, as a diff",
        description="Read the promotion log beside the site file, find the latest promotion of the field "
        "not rolled back yet, and restore its previous value (removing the key where there was none), as a "
        "validated diff; written and logged only with --write, so the next rollback goes one step further.",
    )
    rollback.add_argument("--site", type=Path, required=True, metavar="SITE.yaml", help="the site file")
    rollback.add_argument("--camera", required=True, help="the camera's id")
    rollback.add_argument("--zone", default=None, help="a zone of the camera (its model)")
    rollback.add_argument(
        "--field", choices=("model", "verifier"), default="model", help="which field (default: model)"
    )
    rollback.add_argument("--by", default=None, help="who rolls it back (a person id), for the log")
    rollback.add_argument(
        "--write", action="store_true", help="write the file and log it (default: only show)"
    )
    rollback.set_defaults(handler=_rollback)


class _PromoteError(Exception):
    """A promotion refused before the site is edited."""


def _resolve(model_id: str, store: Path) -> tuple[str, str]:
    """(field, value) that promoting ``model_id`` sets: a catalogue model or ensemble, or a stored verifier's
    folder; _PromoteError listing what is known when it is neither."""
    from detectors.backends.ensemble import ensemble_members
    from detectors.models.registry import catalogue
    from detectors.models.trained import trained_ids
    from detectors.verifier.store import list_verifiers

    known = catalogue()
    verifiers, _problems = list_verifiers(store)
    found = [folder for folder, info in verifiers if info.id == model_id]
    try:
        members = ensemble_members(model_id)
    except ValueError as error:
        raise _PromoteError(str(error)) from None
    if members is not None:
        missing = [member for member in members if member not in known]
        if missing:
            raise _PromoteError(
                f"{model_id}: unknown member(s) {', '.join(missing)}; the catalogue has {', '.join(known)}"
            )
        return "model", model_id
    if model_id in known and found:
        raise _PromoteError(f"{model_id} is both a catalogue model and a verifier in {store}; rename one")
    if model_id in known:
        return "model", model_id
    if model_id in trained_ids():  # a model trained here (gridwatch models train), named by its id
        return "model", model_id
    if found:
        return "verifier", str(found[-1].resolve())
    raise _PromoteError(
        f"unknown id {model_id!r}: not a catalogue model ({', '.join(known)}; or ensemble:A+B of them), a "
        f"model trained here ({', '.join(trained_ids()) or 'none'}) nor a verifier in {store} "
        f"({', '.join(info.id for _, info in verifiers) or 'none'})"
    )


def _site_text(site: Path) -> str:
    """The site file's text, refused (exit 2 by the caller) when it is not a valid site now."""
    from gridwatch.config import SiteConfigError, parse_site

    try:
        text = site.read_text(encoding="utf-8")
    except OSError as error:
        raise _PromoteError(str(error)) from None
    try:
        parse_site(text, site)
    except SiteConfigError as error:
        raise _PromoteError(f"the site file is not valid now:\n{error.report()}") from None
    return text


def _promote(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from detectors.verifier.store import verifier_store_dir
    from gridwatch.config.promotions import (
        PromotionError,
        PromotionField,
        Target,
        camera_ids,
        log_path,
        plan_promotion,
        read_log,
        write_edit,
    )

    def fail(error: Exception) -> int:
        print(f"gridwatch models promote: error: {error}", file=sys.stderr)
        return 2

    if args.zone is not None and args.camera is None:
        return fail(ValueError("--zone needs --camera"))
    if (args.footage is None) != (args.labels is None):
        return fail(ValueError("--footage and --labels go together (the comparison scores against labels)"))
    if args.footage is not None and args.camera is None:
        return fail(ValueError("--footage needs --camera (the camera the footage is replayed as)"))
    try:
        field, value = _resolve(args.model_id, args.verifiers or verifier_store_dir())
        if field == "verifier" and args.zone is not None:
            raise _PromoteError(
                f"{args.model_id} is a verifier: a verifier is set per camera (detection.verifier), not per "
                "zone; leave out --zone"
            )
        text = _site_text(args.site)
        cameras = camera_ids(text) if args.all_cameras else [args.camera]
        targets = [Target(camera, args.zone, PromotionField(field)) for camera in cameras]
        edit = plan_promotion(
            text,
            args.site,
            targets,
            value,
            promoted=args.model_id,
            by=args.by,
            clock=lambda: datetime.now(UTC),
            log=read_log(log_path(args.site)),
        )
    except (_PromoteError, PromotionError) as error:
        return fail(error)
    if not edit.entries:
        print(f"nothing to change: {', '.join(t.where for t in targets)} is {value} already", file=sys.stderr)
        return 0
    if args.footage is not None:
        code = _run_comparison(args, edit.text)
        if code:
            return code
    else:
        _say_comparison(args, text, edit.text, [entry.camera for entry in edit.entries])
    sys.stdout.write(edit.diff)
    if args.write:
        write_edit(args.site, edit)
        print(f"wrote {args.site}; logged in {log_path(args.site)}", file=sys.stderr)
    else:
        print("(not written: review the diff, then pass --write)", file=sys.stderr)
    return 0


def _temp_site(site: Path, text: str, what: str) -> Path:
    """A copy of the site with ``text`` in the temp folder (relative paths in a site are relative to the
    working directory, not to the file, so it replays the same)."""
    import tempfile

    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", prefix=f"{site.stem}.{what}-", suffix=".yaml", delete=False
    ) as out:
        out.write(text)
    return Path(out.name)


def _say_comparison(args: argparse.Namespace, text: str, new: str, cameras: list[str]) -> None:
    """Print the replay comparison that measures the promotion (it needs footage this command lacks)."""
    import shlex

    if args.write:  # the site will hold the promoted version: A is a copy of the current one
        a, b = _temp_site(args.site, text, "before"), args.site
        which = "A: a copy of the site as it was, B: the site as written"
    else:
        a, b = args.site, _temp_site(args.site, new, "promoted")
        which = "A: the site as it is, B: a copy as promoted"
    camera = cameras[0] if len(cameras) == 1 else "CAM"
    command = f"gridwatch replay compare {shlex.quote(str(a))} {shlex.quote(str(b))} "
    command += f"--footage FOOTAGE --camera {camera} --labels LABELS.csv"
    print(f"measure it on recorded footage of the camera ({which}):", file=sys.stderr)
    print(f"    {command}", file=sys.stderr)
    if len(cameras) > 1:
        print(f"    (one --footage/--camera pair per camera: {', '.join(cameras)})", file=sys.stderr)
    if args.camera is not None:
        print("    (or pass --footage and --labels here to run it before the diff)", file=sys.stderr)


def _run_comparison(args: argparse.Namespace, new: str) -> int:
    """Replay ``--footage`` as ``--camera`` with the current and the promoted site, side by side."""
    from replay.cache import DetectionCache, default_cache_dir
    from replay.compare import side_by_side
    from replay.errors import ReplayError
    from replay.footage import FootageItem
    from replay.labels import read_labels
    from replay.session import ReplayRequest, execute

    promoted = _temp_site(args.site, new, "promoted")
    try:
        item = FootageItem(path=args.footage, camera=args.camera)
        item.check()
        labels = read_labels(args.labels)
        cache = DetectionCache(default_cache_dir())
        outcomes = [
            execute(ReplayRequest(site_path=site, items=[item], labels=labels, cache=cache))
            for site in (args.site, promoted)
        ]
    except ReplayError as error:
        print(f"gridwatch models promote: error: the comparison failed: {error}", file=sys.stderr)
        return 2
    finally:
        promoted.unlink(missing_ok=True)
    a, b = outcomes
    print(side_by_side(f"{args.site} (current)", a.report, "promoted", b.report), end="")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from gridwatch.config.promotions import (
        PromotionError,
        PromotionField,
        Target,
        log_path,
        plan_rollback,
        read_log,
        write_edit,
    )

    try:
        target = Target(args.camera, args.zone, PromotionField(args.field))
        text = _site_text(args.site)
        edit = plan_rollback(
            text,
            args.site,
            target,
            by=args.by,
            clock=lambda: datetime.now(UTC),
            log=read_log(log_path(args.site)),
        )
    except (_PromoteError, PromotionError) as error:
        print(f"gridwatch models rollback: error: {error}", file=sys.stderr)
        return 2
    (entry,) = edit.entries
    print(
        f"rolling back promotion #{entry.undoes}: {target.where} {entry.previous} -> "
        f"{entry.value if entry.value is not None else '(unset)'}",
        file=sys.stderr,
    )
    sys.stdout.write(edit.diff)
    if args.write:
        write_edit(args.site, edit)
        print(f"wrote {args.site}; logged in {log_path(args.site)}", file=sys.stderr)
    else:
        print("(not written: review the diff, then pass --write)", file=sys.stderr)
    return 0
