"""Writing demo footage: H.264 clips (PyAV, as a camera encodes: no B-frames, fixed GOP) and JPEG folders."""

from __future__ import annotations

import fnmatch
import json
import shutil
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import cv2

from ingest.sources.base import Image
from ingest.sources.image_folder import SIDECAR_KEY, sidecar_path

#: Containers PyAV writes H.264 into, by file suffix.
CONTAINERS = {".mp4": "mp4", ".mkv": "matroska", ".mov": "mov", ".avi": "avi"}

#: 2 Mbit/s at 1080p (a camera sub-stream: cheap to decode for many demo cameras); scaled by pixel count.
BITRATE_1080P = 2_000_000


class FootageWriteError(ValueError):
    """Demo footage cannot be written where the site says (unknown container, no frames)."""


def container_for(path: Path) -> str:
    """The container format for ``path``'s suffix; FootageWriteError for one PyAV should not guess."""
    try:
        return CONTAINERS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(CONTAINERS))
        raise FootageWriteError(f"cannot write a clip to {path}: use one of {known}") from None


def bitrate_for(width: int, height: int) -> int:
    """Bit rate of a camera stream of this size (4 Mbit/s at 1080p, at least 500 kbit/s)."""
    return max(500_000, round(BITRATE_1080P * width * height / (1920 * 1080)))


def write_clip(
    path: Path, frames: Iterable[Image], *, width: int, height: int, fps: int, gop_s: float
) -> int:
    """Encode ``frames`` (each ``height`` x ``width`` BGR) as H.264 at ``fps`` into ``path``, atomically.

    The clip is written beside ``path`` and renamed into place at the end, so an interrupted run never
    leaves a half clip that looks present. Returns the number of frames written.
    """
    fmt = container_for(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    gop = max(1, round(fps * gop_s))
    bitrate = bitrate_for(width, height)
    count = 0
    try:
        with av.open(str(partial), mode="w", format=fmt) as container:
            stream = container.add_stream("libx264", rate=Fraction(fps))
            stream.width = width
            stream.height = height
            stream.pix_fmt = "yuv420p"
            stream.codec_context.gop_size = gop
            stream.bit_rate = bitrate
            stream.codec_context.options = {
                "preset": "veryfast",
                "maxrate": str(bitrate),
                "bufsize": str(bitrate * 2),
                "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0",
            }
            for image in frames:
                if image.shape[:2] != (height, width):
                    raise FootageWriteError(
                        f"frame {count} is {image.shape[1]}x{image.shape[0]}, the clip {width}x{height}"
                    )
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
                frame.pts = count
                for packet in stream.encode(frame):
                    container.mux(packet)
                count += 1
            if count == 0:
                raise FootageWriteError(f"no frames to write to {path}")
            for packet in stream.encode(None):
                container.mux(packet)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def folder_image_name(index: int, pattern: str) -> str:
    """Name of image ``index`` (1-based) in a folder read with glob ``pattern``; JPEG unless it asks for PNG.

    FootageWriteError when the pattern would not match the names written (e.g. ``cam1_*.jpg``).
    """
    suffix = ".png" if pattern.lower().endswith(".png") else ".jpg"
    name = f"{index:06d}{suffix}"
    if not fnmatch.fnmatch(name, pattern):
        raise FootageWriteError(f"image pattern {pattern!r} does not match the generated names ({name})")
    return name


def write_folder(
    folder: Path, frames: Iterable[tuple[float, Image]], *, pattern: str, jpeg_quality: int = 90
) -> int:
    """Write ``(capture time, image)`` pairs as ``000001.jpg`` + sidecar ``000001.json`` into ``folder``.

    The folder is filled beside its final place and renamed into it at the end; an existing folder must be
    empty (nothing in it is ever deleted). Returns the image count.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FootageWriteError(f"{folder} exists and is not an empty folder: not writing demo images there")
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    count = 0
    try:
        for captured_at, image in frames:
            count += 1
            target = partial / folder_image_name(count, pattern)
            ok, data = cv2.imencode(
                target.suffix,
                image,
                [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality] if target.suffix == ".jpg" else [],
            )
            if not ok:
                raise FootageWriteError(f"could not encode {target.name}")
            target.write_bytes(data.tobytes())
            sidecar_path(target).write_text(
                json.dumps({SIDECAR_KEY: round(captured_at, 3)}), encoding="utf-8"
            )
        if count == 0:
            raise FootageWriteError(f"no images to write to {folder}")
        if folder.exists():
            folder.rmdir()  # empty, checked above
        partial.rename(folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return count
