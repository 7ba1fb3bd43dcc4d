"""Real cut-outs on real pavements, for tests of learning from a site's examples: vendors' produce piles
(trading goods) and bins and post boxes put out on the pavement (street furniture), from the licensed test
assets (Tux Paint's photographic stamps), pasted on OpenCV's leuvenB.jpg and darknet's dog.jpg."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from detectors.models.cache import asset_cache_dir

ASSETS = asset_cache_dir()
PILES = sorted((ASSETS / "piles").glob("produce-*.png"))
DECOYS = [
    ASSETS / f"tuxpaint-{name}.png"
    for name in ("wheelie_bin", "garbagecan", "uk_post_box", "usps_mailbox", "home_compost_bin")
]


def assets_present() -> bool:
    """Whether the backgrounds and cut-outs are in the test-asset cache."""
    return (ASSETS / "leuvenB.jpg").is_file() and len(PILES) >= 4 and all(map(Path.is_file, DECOYS))


def paste(
    background: NDArray[np.uint8], sprite_path: Path, rng: np.random.Generator
) -> tuple[NDArray[np.uint8], list[float]]:
    """``background`` with the cut-out standing on its lower half at a random place and size; its box."""
    sprite = cv2.imread(str(sprite_path), cv2.IMREAD_UNCHANGED)
    assert sprite is not None and sprite.shape[2] == 4
    height = int(rng.integers(70, 130))
    width = max(8, round(sprite.shape[1] * height / sprite.shape[0]))
    sprite = cv2.resize(sprite, (width, height), interpolation=cv2.INTER_AREA)
    h, w = background.shape[:2]
    x = int(rng.integers(0, w - width))
    bottom = int(rng.integers(h // 2 + height // 2, h))
    y = bottom - height
    image = background.copy()
    alpha = sprite[..., 3:4].astype(np.float32) / 255
    region = image[y:bottom, x : x + width].astype(np.float32)
    image[y:bottom, x : x + width] = (sprite[..., :3] * alpha + region * (1 - alpha)).astype(np.uint8)
    ys, xs = np.nonzero(sprite[..., 3] > 127)
    return image, [float(x + xs.min()), float(y + ys.min()), float(x + xs.max() + 1), float(y + ys.max() + 1)]


def background(name: str) -> NDArray[np.uint8]:
    image = cv2.imread(str(ASSETS / name))
    assert image is not None
    return np.asarray(image, np.uint8)
