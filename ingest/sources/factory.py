"""Builds the frame source a camera's config describes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from gridwatch.config import (
    Camera,
    FileSource,
    HttpSnapshotSource,
    ImageFolderSource,
    RtspSource,
)
from ingest.clocks import Clocks
from ingest.settings import IngestSettings
from ingest.sources.base import FrameSource
from ingest.sources.credentials import resolve
from ingest.sources.http_snapshot import HttpSnapshotSource as HttpSnapshotReader
from ingest.sources.image_folder import FolderLoop
from ingest.sources.image_folder import ImageFolderSource as ImageFolderReader
from ingest.sources.rtsp import LiveStreamSource, StreamOptions
from ingest.sources.video_file import VideoFileSource


def build_source(
    camera: Camera,
    settings: IngestSettings,
    clocks: Clocks,
    *,
    environ: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> FrameSource:
    """The source of ``camera``; credentials are read from ``environ`` (the process environment by default).

    Raises :class:`~ingest.sources.errors.SourceConfigError` when a credential variable is unset.
    Relative file and folder paths are taken from ``base_dir`` (the working directory by default).
    """
    env = os.environ if environ is None else environ
    source = camera.source
    if isinstance(source, RtspSource):
        return LiveStreamSource(
            source.url,
            wall=clocks.wall,
            credentials=resolve(source.username_env, source.password_env, env),
            options=StreamOptions(
                mode=source.decode,
                transport=source.transport,
                threads=settings.decoder_threads,
                open_timeout_s=settings.connect_timeout_s,
                read_timeout_s=settings.read_timeout_s,
                max_drift_s=settings.live_clock_max_drift_s,
                probe_s=settings.probe_s,
            ),
        )
    if isinstance(source, HttpSnapshotSource):
        names = " / ".join(n for n in (source.username_env, source.password_env) if n)
        return HttpSnapshotReader(
            source.url,
            interval_s=camera.sample_interval_s,
            auth=source.auth,
            credentials=resolve(source.username_env, source.password_env, env),
            credential_names=names,
            timeout_s=source.timeout_s,
            wall=clocks.wall,
            monotonic=clocks.monotonic,
            sleep=clocks.sleep,
        )
    if isinstance(source, FileSource):
        return VideoFileSource(
            _resolve_path(source.path, base_dir),
            realtime=source.realtime,
            loop=source.loop or settings.loop_footage,
            mode=settings.file_decode,
            wall=clocks.wall,
            monotonic=clocks.monotonic,
            sleep=clocks.sleep,
            threads=settings.decoder_threads,
            max_drift_s=settings.live_clock_max_drift_s,
        )
    if isinstance(source, ImageFolderSource):
        loop = (
            FolderLoop(
                interval_s=camera.sample_interval_s,
                wall=clocks.wall,
                monotonic=clocks.monotonic,
                sleep=clocks.sleep,
            )
            if settings.loop_footage
            else None
        )
        return ImageFolderReader(
            _resolve_path(source.path, base_dir),
            pattern=source.pattern,
            timestamps=source.timestamps,
            loop=loop,
        )
    raise TypeError(f"camera {camera.id}: unknown source kind {type(source).__name__}")  # pragma: no cover


def _resolve_path(raw: str, base_dir: Path | None) -> Path:
    path = Path(raw).expanduser()
    if path.is_absolute() or base_dir is None:
        return path
    return base_dir / path
