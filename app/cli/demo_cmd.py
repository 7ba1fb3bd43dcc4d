"""`gridwatch demo footage`: generate the demo footage a site's file and image-folder cameras read.

Idempotent: cameras whose footage exists are left alone, so `make run` calls it every time. With the team's
shared footage (``../shared/data/footage`` of the repository, or ``$GW_FOOTAGE_DIR``) the demo camera sees
parked two-wheelers and the others passers-by; without it every camera gets a synthetic clip and no incident
will appear.
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
    from gridwatch.config import SiteConfigError, load_site

    try:
        site = load_site(args.site)
    except SiteConfigError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_INVALID
    try:
        library = find_library(os.environ, args.footage_dir)
        plan = plan_footage(site, library, base_dir=args.base_dir, demo_camera_ids=args.demo_camera)
    except (FootageLibraryError, CastingError) as error:
        print(f"gridwatch demo footage: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(
        f"demo footage for {args.site}: {len(plan.present)} camera(s) already have theirs, "
        f"{len(plan.jobs)} to generate"
    )
    try:
        make_footage(plan)
    except (FootageReadError, FootageWriteError, OSError) as error:
        print(f"gridwatch demo footage: {error}", file=sys.stderr)
        return 1
    if library is None:
        where = args.footage_dir or os.environ.get(FOOTAGE_DIR_ENV) or default_footage_dir(REPO_ROOT)
        print(
            f"NOTE: no shared footage at {where} (set ${FOOTAGE_DIR_ENV}): cameras got synthetic clips, so "
            "the pipeline runs but NO INCIDENT WILL APPEAR in the demo."
        )
    elif not plan.demo_camera_ids:
        print(
            "NOTE: the site has no enabled file camera with an ebike_parking zone: no incident will appear."
        )
    elif any(job.scene is Scene.SYNTHETIC for job in plan.jobs):
        print("NOTE: part of the shared footage is missing; some cameras got synthetic clips.")
    scenes = {job.camera.id: job.scene for job in plan.jobs}
    present = dict(plan.present)
    for camera_id in plan.demo_camera_ids:
        if scenes.get(camera_id) is Scene.PARKED_BIKES:
            print(f"demo camera {camera_id}: parked two-wheelers stand in its parking zone")
        elif camera_id in present:
            print(
                f"demo camera {camera_id}: footage already at {present[camera_id]} "
                "(left as it is; delete it to generate it again)"
            )
    return 0
