"""Clips generated once per session for the ingest tests (small, low resolution)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clips import ClipSpec, write_clip


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def moving_clip(clip_dir: Path) -> Path:
    """320x240, 10 fps, 6 s, key frame every 1 s, boxes moving."""
    return write_clip(clip_dir / "moving.mp4", ClipSpec(width=320, height=240, fps=10, seconds=6, gop_s=1.0))


@pytest.fixture(scope="session")
def static_clip(clip_dir: Path) -> Path:
    """320x240, 5 fps, 21 s, nothing moves but sensor noise (no on-screen clock)."""
    spec = ClipSpec(
        width=320, height=240, fps=5, seconds=21, gop_s=2.0, moving=False, noise=3, clock_overlay=False
    )
    return write_clip(clip_dir / "static.mp4", spec)


@pytest.fixture(scope="session")
def long_gop_clip(clip_dir: Path) -> Path:
    """320x240, 10 fps, 8 s, key frame every 2 s."""
    return write_clip(clip_dir / "gop2.mp4", ClipSpec(width=320, height=240, fps=10, seconds=8, gop_s=2.0))
