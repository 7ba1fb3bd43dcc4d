"""`gridwatch demo footage`: generate the demo footage a site's file and image-folder cameras read.

Idempotent: cameras whose footage exists are left alone, so `make run` calls it every time. The demo camera
sees parked two-wheelers: the team's photo where its shared footage is present (``../shared/data/footage`` of
the repository, or ``$GW_FOOTAGE_DIR``), else the licensed sample scene built from the photos `gridwatch
models fetch-test-assets` keeps in the test-asset cache (bicycles parked on a pavement, people passing). The
other cameras see the team's passers-by videos where present, else a synthetic street. Only when neither the
team's footage nor the sample photos are there will no incident appear.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.cli.site_option import add_site_option
from app.cli.types import Subparsers

EXIT_INVALID = 2


def register(subparsers: Subparsers) -> None:
    """Add `gridwatch demo footage`."""
    parser = subparsers.add_parser("demo", help="set up the demo that `make run` shows")
    commands = parser.add_subparsers(dest="demo_command", metavar="SUBCOMMAND", required=True)
    footage = commands.add_parser(
        "footage",
        help="generate missing footage for the site's file and image-folder cameras",
        description="For every enabled file or image-folder camera whose footage is missing, write a clip or "
        "an image folder at the camera's resolution where the site says; cameras with footage are left "
        "alone.",
    )
    add_site_option(footage)
    footage.add_argument(
        "--footage-dir",
        type=Path,
        default=None,
        help="the team's shared footage (default: $GW_FOOTAGE_DIR, else ../shared/data/footage of the repo)",
    )
    footage.add_argument(
        "--sample-images",
        type=Path,
        default=None,
        metavar="DIR",
        help="the licensed sample photos (default: the test-asset cache, $GW_TEST_ASSETS or "
        "~/.cache/gridwatch/test-assets, filled by `gridwatch models fetch-test-assets`)",
    )
    footage.add_argument(
        "--demo-camera",
        action="append",
        default=None,
        metavar="CAMERA_ID",
        help="camera that sees parked two-wheelers (repeatable; default: the first enabled file camera "
        "with an ebike_parking zone)",
    )
    footage.add_argument(
        "--base-dir",
        type=Path,
        default=Path(),
        help="directory relative source paths start from, as for ingest (default: the working directory)",
    )
    footage.set_defaults(handler=_footage)


def _footage(args: argparse.Namespace) -> int:
    from app.demo.casting import CastingError, Scene, plan_footage
    from app.demo.encode import FootageWriteError
    from app.demo.footage import make_footage
    from app.demo.frames import FootageReadError
    from app.demo.library import (
        FOOTAGE_DIR_ENV,
        REPO_ROOT,
        FootageLibraryError,
        default_footage_dir,
        find_library,
    )
    from app.demo.licensed import LicensedImagesError, find_licensed_images
    from app.demo.live_scene import SceneError
    from detectors.models.cache import asset_cache_dir
    from gridwatch.config import SiteConfigError, load_site

    try:
        site = load_site(args.site)
    except SiteConfigError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_INVALID
    samples = args.sample_images or asset_cache_dir()
    try:
        library = find_library(os.environ, args.footage_dir)
        licensed = find_licensed_images(samples, explicit=args.sample_images is not None)
        plan = plan_footage(
            site, library, base_dir=args.base_dir, demo_camera_ids=args.demo_camera, licensed=licensed
        )
    except (FootageLibraryError, LicensedImagesError, CastingError) as error:
        print(f"gridwatch demo footage: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(
        f"demo footage for {args.site}: {len(plan.present)} camera(s) already have theirs, "
        f"{len(plan.jobs)} to generate"
    )
    try:
        make_footage(plan)
    except (FootageReadError, FootageWriteError, SceneError, OSError) as error:
        print(f"gridwatch demo footage: {error}", file=sys.stderr)
        return 1
    if library is None and licensed is None:
        where = args.footage_dir or os.environ.get(FOOTAGE_DIR_ENV) or default_footage_dir(REPO_ROOT)
        print(
            f"NOTE: no shared footage at {where} (set ${FOOTAGE_DIR_ENV}) and no licensed sample photos in "
            f"{samples} (run `gridwatch models fetch-test-assets`): cameras got synthetic clips, so the "
            "pipeline runs but NO INCIDENT WILL APPEAR in the demo."
        )
    elif not plan.demo_camera_ids:
        print(
            "NOTE: the site has no enabled file camera with an ebike_parking zone: no incident will appear."
        )
    elif library is not None and any(job.scene is Scene.SYNTHETIC for job in plan.jobs):
        print("NOTE: part of the shared footage is missing; some cameras got synthetic clips.")
    scenes = {job.camera.id: job.scene for job in plan.jobs}
    present = dict(plan.present)
    for camera_id in plan.demo_camera_ids:
        if scenes.get(camera_id) is Scene.PARKED_BIKES:
            print(f"demo camera {camera_id}: parked two-wheelers stand in its parking zone")
        elif scenes.get(camera_id) is Scene.LICENSED_BIKES:
            print(
                f"demo camera {camera_id}: bicycles from the licensed sample photo stand in its parking "
                "zone, people walk past"
            )
        elif camera_id in present:
            print(
                f"demo camera {camera_id}: footage already at {present[camera_id]} "
                "(left as it is; delete it to generate it again)"
            )
    return 0
