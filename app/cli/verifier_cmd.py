"""`gridwatch verifier`: train a site's verifier on its labelled examples; show one.

    gridwatch verifier train --data EXPORT --out DIR   cross-validated precision/recall, then the artefact
    gridwatch verifier show DIR                        what a verifier is, learnt from, and measured

EXPORT is a ``gridwatch labels export`` folder. The artefact is applied by naming it in the site YAML
(``camera.detection.verifier: DIR``); the detector worker and replay load it from there.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.types import Subparsers
from replay.progress import ProgressBar

if TYPE_CHECKING:
    from detectors.verifier.runtime import VerifierInfo


def register(subparsers: Subparsers) -> None:
    """Register ``gridwatch verifier train|show``."""
    parser = subparsers.add_parser(
        "verifier",
        help="train a verifier on a site's labelled examples (rejected vs verified cases); show one",
    )
    commands = parser.add_subparsers(dest="verifier_command", metavar="SUBCOMMAND", required=True)
    train = commands.add_parser(
        "train",
        help="embed the export's box crops with the detector's backbone, fit a logistic regression, "
        "print its cross-validated precision/recall, write the artefact",
    )
    train.add_argument(
        "--data",
        type=Path,
        action="append",
        required=True,
        help="a `gridwatch labels export` (or `replay --examples`) folder; repeatable",
    )
    train.add_argument(
        "--out",
        type=Path,
        default=None,
        help="a new (or empty) folder for the artefact (default: the verifier store, $GW_VERIFIER_DIR, "
        "in a folder named by its id)",
    )
    train.add_argument(
        "--model",
        default="ssdlite-mobilenetv2-coco90",
        help="the catalogue model whose backbone embeds the crops (default: the SSD; it must be built)",
    )
    train.add_argument(
        "--applies-to",
        default="",
        help="classes or kinds it rescores, comma-separated (default: the export's, e.g. trading_object)",
    )
    train.add_argument("--threshold", type=float, default=0.5, help="keep a detection scored at least this")
    train.add_argument(
        "--context", type=float, default=0.15, help="margin around a box in its crop, per side"
    )
    train.add_argument("--parent", default=None, help="id of the verifier this one replaces")
    train.add_argument("--cache-dir", type=Path, default=None, help="model cache (default: $GW_MODEL_CACHE)")
    train.set_defaults(handler=_train)
    show = commands.add_parser("show", help="print a verifier's description")
    show.add_argument("folder", type=Path, metavar="DIR")
    show.set_defaults(handler=_show)


def _train(args: argparse.Namespace) -> int:
    from detectors.models.cache import ModelFiles
    from detectors.models.registry import get_model_spec
    from detectors.verifier.store import verifier_store_dir
    from detectors.verifier.train import TrainingError, train_verifier

    if not 0.0 <= args.threshold <= 1.0:
        return _fail(f"--threshold {args.threshold} is not between 0 and 1")
    try:
        spec = get_model_spec(args.model)
    except KeyError:
        return _fail(f"unknown model {args.model!r}")
    onnx_path = ModelFiles.of(spec, args.cache_dir).onnx
    if not onnx_path.is_file():
        return _fail(f"model {args.model} is not built ({onnx_path}); run `gridwatch models build` first")
    now = datetime.now(UTC)
    applies_to = tuple(name for name in args.applies_to.split(",") if name)
    out = args.out or verifier_store_dir() / f".training-{now:%Y%m%dT%H%M%S}"
    bar = ProgressBar("embed", None)
    started = time.perf_counter()
    try:
        info = train_verifier(
            args.data,
            onnx_path,
            f"{spec.id}@{spec.version}",
            out,
            now=now,
            applies_to=applies_to,
            threshold=args.threshold,
            context=args.context,
            parent=args.parent,
            progress=bar.reach,
        )
    except (TrainingError, OSError) as error:
        return _fail(str(error))
    bar.finish()
    if args.out is None:  # in the store, under its id
        final = out.parent / info.id
        if final.exists():
            return _fail(f"{final} exists already; the new verifier stays in {out}")
        out = out.rename(final)
    print(f"trained {info.id} in {time.perf_counter() - started:.1f} s -> {out}")
    _print_info(info)
    return 0


def _show(args: argparse.Namespace) -> int:
    from detectors.verifier.runtime import Verifier, VerifierError

    try:
        verifier = Verifier.load(args.folder)
    except VerifierError as error:
        return _fail(str(error))
    _print_info(verifier.info)
    return 0


def _print_info(info: VerifierInfo) -> None:
    cv = info.cross_validation

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    print(f"  id {info.id} (parent {info.parent or '-'}), base model {info.base_model}")
    print(f"  applies to {', '.join(info.applies_to)}; keeps at {info.threshold:.2f}")
    print(f"  trained on {info.positives} positive and {info.negatives} negative crops from {info.data}")
    print(f"  data sha256 {info.data_sha256[:16]}")
    print(
        f"  cross-validated ({cv.folds} folds, grouped by {cv.grouping}): "
        f"precision {share(cv.precision)}, "
        f"recall {share(cv.recall)}, negatives removed {share(cv.negatives_removed)}"
    )


def _fail(message: str) -> int:
    print(f"gridwatch verifier: error: {message}", file=sys.stderr)
    return 2
