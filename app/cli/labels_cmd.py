"""`gridwatch labels`: the labelled examples people's decisions on cases made (list, export, delete).

A rejected case, a worker's "nothing there" and a verified case each leave one example in the dispatch
database (:mod:`dispatch.labels`). ``list`` counts them, ``export`` writes them as a YOLO or COCO training set
with a train/val split by camera and time, ``delete`` removes them (a site's right to its data). The database
is ``--url``, else ``GW_DATABASE_URL``, else the SQLite file; every problem is one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.cli.types import Subparsers
from dispatch.label_export import ExportError, ExportFormat, export_labels, read_frame
from dispatch.persistence.engine import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    DatabaseUnavailableError,
    DatabaseUrlError,
    database_url_from_env,
    describe_url,
    make_engine,
)
from dispatch.persistence.label_tables import LabelRecord
from dispatch.persistence.migrate import current_revision, head_revision
from dispatch.settings import DispatchSettings
from replay.progress import ProgressBar

EXIT_USAGE = 2


def register(subparsers: Subparsers) -> None:
    """Register ``gridwatch labels list|export|delete``."""
    parser = subparsers.add_parser(
        "labels",
        help="labelled examples from rejected, 'nothing there' and verified cases: list, export, delete",
        description=(
            "The labelled examples that people's decisions on cases made: a rejected case or a worker's "
            "'nothing there' is a negative, a verified case a positive (its clean evidence frame and boxes). "
            f"The database is --url, else ${DATABASE_URL_ENV}, else {DEFAULT_DATABASE_URL}."
        ),
    )
    commands = parser.add_subparsers(dest="labels_command", metavar="LABELS_COMMAND", required=True)

    listing = commands.add_parser("list", help="count the examples by camera, source and polarity")
    _filters(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per example instead of counts")
    listing.set_defaults(handler=run_list)

    export = commands.add_parser(
        "export",
        help="write the examples as a YOLO or COCO training set (train/val split by camera and time)",
    )
    export.add_argument("--format", choices=[f.value for f in ExportFormat], required=True)
    export.add_argument("--out", type=Path, required=True, help="a new (or empty) folder to write into")
    export.add_argument(
        "--val-share", type=float, default=0.2, help="share of camera-time groups kept for validation"
    )
    export.add_argument(
        "--block-minutes",
        type=float,
        default=60.0,
        help="length of a camera's time group: frames of one group never land in both splits (>= 1)",
    )
    export.add_argument(
        "--evidence-dir",
        type=Path,
        default=None,
        help="the detector's evidence folder, for frames at /evidence/ (default: $GW_DATA_DIR/evidence)",
    )
    _filters(export)
    export.set_defaults(handler=run_export)

    annotate = commands.add_parser(
        "annotate",
        help="the box-labelling page on a YOLO export: draw, move, delete boxes and set their class "
        "(电动自行车, 三轮车, 摊位, 货架 ...); keyboard shortcuts, undo, next frame",
    )
    annotate.add_argument("--data", type=Path, required=True, help="a `labels export --format yolo` folder")
    annotate.add_argument("--host", default="127.0.0.1")
    annotate.add_argument("--port", type=int, default=8766)
    annotate.set_defaults(handler=run_annotate)

    remove = commands.add_parser("delete", help="delete examples (the evidence images stay with their cases)")
    _filters(remove)
    remove.add_argument("--all", action="store_true", help="delete every example (no filter needed)")
    remove.set_defaults(handler=run_delete)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url", help=f"database URL (default: ${DATABASE_URL_ENV}, else {DEFAULT_DATABASE_URL})"
    )
    parser.add_argument("--camera", action="append", default=[], help="only this camera (repeatable)")
    parser.add_argument("--case", action="append", default=[], help="only this case (repeatable)")
    parser.add_argument(
        "--before", type=_date, help="only frames captured before this ISO date or time (UTC)"
    )
    parser.add_argument("--since", type=_date, help="only frames captured at or after this ISO date or time")


def _date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date or time, e.g. 2026-12-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _where(args: argparse.Namespace) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if args.camera:
        where.append(LabelRecord.camera_id.in_(args.camera))
    if args.case:
        where.append(LabelRecord.case_id.in_(args.case))
    if args.before is not None:
        where.append(LabelRecord.captured_at < args.before)
    if args.since is not None:
        where.append(LabelRecord.captured_at >= args.since)
    return where


def _engine(args: argparse.Namespace) -> Engine:
    url = args.url if args.url is not None else database_url_from_env()
    engine = make_engine(url)
    at = current_revision(engine)
    if at != head_revision():
        engine.dispose()
        raise DatabaseUnavailableError(
            f"database {describe_url(url)} is at revision {at or 'base (empty)'}, not {head_revision()}; "
            "run `gridwatch db upgrade` first"
        )
    return engine


def _labels(args: argparse.Namespace) -> list[LabelRecord]:
    engine = _engine(args)
    try:
        with Session(engine) as session:
            rows = list(session.scalars(select(LabelRecord).where(*_where(args)).order_by(LabelRecord.id)))
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def run_list(args: argparse.Namespace) -> int:
    """``gridwatch labels list``."""
    try:
        rows = _labels(args)
    except (DatabaseUrlError, DatabaseUnavailableError, DBAPIError) as error:
        return _fail(error)
    if args.json:
        for row in rows:
            print(
                json.dumps(
                    {
                        "id": row.id,
                        "case_id": row.case_id,
                        "polarity": row.polarity.value,
                        "source": row.source.value,
                        "camera_id": row.camera_id,
                        "zone_id": row.zone_id,
                        "rule": row.rule,
                        "model_id": row.model_id,
                        "boxes": row.boxes,
                        "frame_url": row.frame_url,
                        "captured_at": row.captured_at.astimezone(UTC).isoformat(),
                        "labelled_at": row.labelled_at.astimezone(UTC).isoformat(),
                        "actor": row.actor,
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    counts = Counter((row.camera_id, row.source.value, row.polarity.value) for row in rows)
    print(f"{len(rows)} labelled examples")
    for (camera, source, polarity), count in sorted(counts.items()):
        print(f"  {camera}  {source:<13} {polarity:<8} {count}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """``gridwatch labels export``: write the training set, print what went where and what was skipped."""
    try:
        rows = _labels(args)
    except (DatabaseUrlError, DatabaseUnavailableError, DBAPIError) as error:
        return _fail(error)
    evidence_root = args.evidence_dir or DispatchSettings.from_env().evidence_root
    bar = ProgressBar("export", len(rows))
    try:
        report = export_labels(
            rows,
            args.out,
            ExportFormat(args.format),
            val_share=args.val_share,
            block_s=args.block_minutes * 60.0,
            fetch=lambda url: read_frame(url, evidence_root),
            progress=bar.reach,
        )
    except ExportError as error:
        return _fail(error)
    bar.finish()
    print("\n".join(report.lines()))
    return 0


def run_annotate(args: argparse.Namespace) -> int:
    """``gridwatch labels annotate``: serve the box-labelling page until interrupted."""
    import uvicorn

    from replay.labelling.boxes import AnnotateError, create_box_app

    try:
        app = create_box_app(args.data)
    except AnnotateError as error:
        return _fail(error)
    print(f"box-labelling page on http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """``gridwatch labels delete``: needs a filter or --all."""
    where = _where(args)
    if not where and not args.all:
        return _fail("name what to delete (--camera, --case, --before, --since) or pass --all")
    try:
        engine = _engine(args)
        try:
            with Session(engine) as session, session.begin():
                gone = len(session.scalars(delete(LabelRecord).where(*where).returning(LabelRecord.id)).all())
        finally:
            engine.dispose()
    except (DatabaseUrlError, DatabaseUnavailableError, DBAPIError) as error:
        return _fail(error)
    print(f"deleted {gone} labelled examples")
    return 0


def _fail(error: object) -> int:
    print(f"gridwatch labels: error: {error}", file=sys.stderr)
    return EXIT_USAGE
