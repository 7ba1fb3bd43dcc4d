from __future__ import annotations

import itertools

import pytest

from ingest.sampler import Sampler


def kept(sampler: Sampler, times: list[float]) -> list[float]:
    return [t for t in times if sampler.due(t)]


def test_25fps_sampled_at_1fps_keeps_one_frame_per_stream_second() -> None:
    times = [i / 25 for i in range(25 * 10)]
    result = kept(Sampler(1.0), times)
    assert len(result) == 11  # ticks 0..10, the last one taken 0.04 s early (within the jitter tolerance)
    assert result[0] == 0.0
    assert all(0.95 <= b - a <= 1.05 for a, b in itertools.pairwise(result))


def test_key_frames_sparser_than_the_interval_are_all_kept_and_reported() -> None:
    sampler = Sampler(1.0)
    assert kept(sampler, [0.0, 2.0, 4.0, 6.0]) == [0.0, 2.0, 4.0, 6.0]
    assert sampler.effective_interval_s == pytest.approx(2.0)


def test_ticks_are_in_stream_time_not_arrival_order_of_bursts() -> None:
    # 5 fps stream at 0.5 fps sampling: one frame per 2 stream seconds however fast frames arrive
    result = kept(Sampler(2.0), [i * 0.2 for i in range(50)])
    assert result == pytest.approx([0.0, 2.0, 4.0, 6.0, 8.0])


def test_time_jumping_backwards_restarts_the_grid() -> None:
    sampler = Sampler(1.0)
    assert kept(sampler, [100.0, 100.5, 101.0]) == [100.0, 101.0]
    assert sampler.due(3.0)  # a new session starting near zero
    assert not sampler.due(3.5)


def test_jitter_just_before_the_tick_still_counts() -> None:
    assert kept(Sampler(1.0), [0.0, 0.98, 1.99, 2.97]) == [0.0, 0.98, 1.99, 2.97]


def test_non_positive_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="sampling interval must be positive"):
        Sampler(0.0)
