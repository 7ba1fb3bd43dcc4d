"""Packing frames into a model's input tensor, and reading its boxes back into each frame's pixels.

Shared by every backend so that all of them see exactly the same pixels for the same frames.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors.decoders.decoded import DecodedBoxes
from detectors.input_resize import Placement, ResizeMode, fit_rgb
from detectors.models.runnable import InputLayout, RunnableModel
from gridwatch.detections import Detections


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch ready for the model: the input tensor and where each frame went in it.

    ``tensor`` may be a view of the packer's buffer: run it before preparing the next batch.
    """

    tensor: NDArray[np.float32]
    placements: tuple[Placement, ...]

    def __len__(self) -> int:
        return len(self.placements)


class InputPacker:
    """Resizes frames into a reusable input buffer in the model's layout and value range.

    Each thread packs into buffers of its own, so several threads may prepare batches at once.
    """

    def __init__(self, model: RunnableModel, resize: ResizeMode, max_batch_size: int) -> None:
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1, got {max_batch_size}")
        self._model = model
        self._resize = resize
        self._max_batch_size = max_batch_size
        self._local = threading.local()

    @property
    def max_batch_size(self) -> int:
        """Most frames one prepared batch holds."""
        return self._max_batch_size

    def _buffers(self) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
        """This thread's input buffers (HWC, and NCHW for models that take it), made on first use."""
        buffers: tuple[NDArray[np.float32], NDArray[np.float32] | None] | None = getattr(
            self._local, "buffers", None
        )
        if buffers is None:
            size, count = self._model.input_size, self._max_batch_size
            nchw = None
            if self._model.layout is InputLayout.NCHW:
                nchw = np.zeros((count, 3, size, size), np.float32)
            buffers = (np.zeros((count, size, size, 3), np.float32), nchw)
            self._local.buffers = buffers
        return buffers

    def pack(self, images: Sequence[NDArray[np.uint8]]) -> PreparedBatch:
        """The input tensor for ``images`` (at most ``max_batch_size`` BGR frames)."""
        count = len(images)
        if not 0 < count <= self.max_batch_size:
            raise ValueError(f"a batch holds 1..{self.max_batch_size} frames, got {count}")
        hwc_buffer, nchw_buffer = self._buffers()
        hwc = hwc_buffer[:count]
        placements = tuple(fit_rgb(image, self._resize, hwc[i]) for i, image in enumerate(images))
        scale = self._model.input_scale
        if nchw_buffer is not None:
            tensor = nchw_buffer[:count]
            np.multiply(hwc.transpose(0, 3, 1, 2), scale, out=tensor)
        else:
            tensor = hwc
            if scale != 1.0:
                tensor *= scale
        return PreparedBatch(tensor=tensor, placements=placements)


def to_detections(model: RunnableModel, decoded: DecodedBoxes, placement: Placement) -> Detections:
    """``decoded`` boxes (model-input pixels) as detections in the frame's pixels; boxes in the padding go."""
    xyxy = placement.to_image(decoded.xyxy)
    inside = (xyxy[:, 2] > xyxy[:, 0]) & (xyxy[:, 3] > xyxy[:, 1])
    class_id = decoded.class_id[inside]
    known = class_id < len(model.class_names)  # a model may emit more classes than its configured names
    return Detections.of_classes(
        xyxy[inside][known],
        np.clip(decoded.score[inside][known], 0.0, 1.0),
        class_id[known],
        model.class_names,
        model.class_kinds,
    )


def decode_batch(
    model: RunnableModel, prepared: PreparedBatch, outputs: Sequence[NDArray[np.float32]]
) -> list[Detections]:
    """One :class:`Detections` per frame of ``prepared``, from the model's raw ``outputs``."""
    return [
        to_detections(model, model.decoder.decode(outputs, i), placement)
        for i, placement in enumerate(prepared.placements)
    ]
