"""The composed clip on disk: a folder of JPEG frames, each with a JSON sidecar holding its capture time
(replay reads it as an image folder with sidecar times, so every sample's time is the scenario clock's,
exactly), and optionally an H.264 MP4 of the same frames for people to watch."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ingest.sources.image_folder import SIDECAR_KEY

Image = NDArray[np.uint8]
JPEG_QUALITY = 92


class FrameFolderWriter:
    """``NNNNNN.jpg`` + ``NNNNNN.json`` (``{"captured_at": epoch seconds}``) per frame."""

    def __init__(self, folder: Path, jpeg_quality: int = JPEG_QUALITY) -> None:
        self.folder = folder
        self.quality = jpeg_quality
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in [*folder.glob("*.jpg"), *folder.glob("*.json")]:
            old.unlink()

    def write(self, image: Image, captured_at: float) -> Path:
        """Write one frame and its sidecar; returns the image path."""
        path = self.folder / f"{self.count:06d}.jpg"
        cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        sidecar = {SIDECAR_KEY: round(captured_at, 6)}
        path.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
        self.count += 1
        return path


class Mp4Writer:
    """An H.264 MP4 at a constant frame rate (for watching; replay reads the frame folder)."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        import av

        self._av: Any = av
        self.path = path
        self._container: Any = av.open(str(path), mode="w")
        rate = Fraction(fps).limit_denominator(1000)
        self._stream: Any = self._container.add_stream("libx264", rate=rate)
        width, height = size
        self._stream.width, self._stream.height = width - width % 2, height - height % 2
        self._stream.pix_fmt = "yuv420p"
        self._stream.codec_context.options = {"preset": "veryfast", "crf": "20"}
        self._index = 0

    def write(self, image: Image) -> None:
        """Append one frame."""
        even = image[: self._stream.height, : self._stream.width]
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(even), format="bgr24")
        frame.pts = self._index
        self._index += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        """Flush and close the file."""
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
