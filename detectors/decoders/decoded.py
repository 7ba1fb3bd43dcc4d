"""What every decoder returns: one image's boxes in model-input pixels, best score first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class DecodedBoxes:
    """Boxes in model-input pixels, best score first."""

    xyxy: NDArray[np.float32]
    class_id: NDArray[np.int64]
    score: NDArray[np.float32]

    @classmethod
    def empty(cls) -> DecodedBoxes:
        """No boxes."""
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.int64), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return int(self.xyxy.shape[0])
