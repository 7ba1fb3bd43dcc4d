"""The runner: detectors timed in turn on each chunk, backends' streams used without reordering results."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from detectors.evaluation.runner import StreamedDetect, split, time_interleaved
from gridwatch.detections import Detections, ObjectKind
from tests.detectors.fakes import BrightBoxBackend, frame_image


def test_detectors_are_timed_in_turn_on_every_chunk_after_one_warm_up_each() -> None:
    calls: list[tuple[str, int]] = []

    def recorder(name: str):  # type: ignore[no-untyped-def]
        def detect(images: Sequence[NDArray[np.uint8]]) -> list[Detections]:
            calls.append((name, int(images[0][0, 0, 0])))
            return [Detections.empty() for _ in images]

        return detect

    images = [np.full((4, 4, 3), value, np.uint8) for value in range(5)]
    timed = time_interleaved({"a": recorder("a"), "b": recorder("b")}, images, chunk=2, rounds=2, settle_s=0)

    chunk_starts = [0, 2, 4]
    one_round = [(name, start) for start in chunk_starts for name in ("a", "b")]
    assert calls == [("a", 0), ("b", 0), *one_round, *one_round]
    assert set(timed) == {"a", "b"}


def test_split_spreads_images_over_streams_without_exceeding_a_batch() -> None:
    items = [np.zeros(1, np.uint8)] * 7
    assert [len(part) for part in split(items, 2, 8)] == [4, 3]
    assert [len(part) for part in split(items, 2, 3)] == [3, 2, 2]
    assert [len(part) for part in split(items[:1], 4, 8)] == [1]


def test_streamed_detect_runs_parts_in_threads_and_keeps_image_order() -> None:
    backend = BrightBoxBackend(max_batch_size=2, streams=2)
    boxes = [[(10, 10, 30, 20)], [(40, 50, 50, 90)], [], [(5, 5, 25, 15), (60, 60, 70, 100)], [(1, 1, 9, 20)]]
    images = [frame_image(b) for b in boxes]
    detect = StreamedDetect(backend)
    try:
        found = detect(images)
    finally:
        detect.close()
    assert [len(f) for f in found] == [1, 1, 0, 2, 1]
    assert found[1].kind == (ObjectKind.PERSON,) and found[0].kind == (ObjectKind.TWO_WHEELER,)
    assert all(size <= 2 for size in backend.batch_sizes)
    assert 1 <= len(backend.threads) <= 2 and threading.current_thread().name not in backend.threads
