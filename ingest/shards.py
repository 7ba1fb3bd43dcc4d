"""Which cameras an ingest process runs: a shard of the site's enabled cameras, or the ones named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gridwatch.config import Camera


@dataclass(frozen=True, slots=True)
class Shard:
    """Camera ``index`` of every ``count`` (0-based), so that a few processes share a town's cameras."""

    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` is the third of four shards; clear error otherwise."""
        try:
            index_text, count_text = text.split("/")
            index, count = int(index_text), int(count_text)
        except ValueError:
            raise ValueError(f"shard {text!r} is not INDEX/COUNT, e.g. 0/4") from None
        if count < 1 or not 0 <= index < count:
            raise ValueError(f"shard {text!r}: need 0 <= INDEX < COUNT")
        return cls(index, count)

    def select(self, cameras: Sequence[Camera]) -> list[Camera]:
        """This shard's cameras, in site order (every ``count``-th enabled camera)."""
        enabled = [camera for camera in cameras if camera.enabled]
        return enabled[self.index :: self.count]


def select_cameras(cameras: Sequence[Camera], only: Sequence[str], shard: Shard) -> list[Camera]:
    """The cameras to run: those named in ``only`` (all if empty), then this shard's share."""
    if only:
        known = {camera.id for camera in cameras}
        unknown = sorted(set(only) - known)
        if unknown:
            raise ValueError(f"unknown camera id(s): {', '.join(unknown)}")
        cameras = [camera for camera in cameras if camera.id in set(only)]
    return shard.select(cameras)
