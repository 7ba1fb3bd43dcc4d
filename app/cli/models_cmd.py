"""`gridwatch models`: build detection models from package registries, list them, fetch test images.

    gridwatch models build [--model ID] [--force]   download, verify, convert to ONNX, record the licence
    gridwatch models list                            the catalogue and what is built in the cache
    gridwatch models fetch-test-assets               sample images for tests (never committed)

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
    listing.set_defaults(handler=_list)

    assets = commands.add_parser("fetch-test-assets", help="fetch sample images used by the tests")
    assets.add_argument("--dest", type=Path, default=None, help="directory (default: $GW_TEST_ASSETS)")
    assets.add_argument("--force", action="store_true", help="fetch again even when present")
    assets.set_defaults(handler=_fetch_test_assets)


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
