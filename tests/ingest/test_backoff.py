from __future__ import annotations

import random

import pytest

from ingest.backoff import Backoff
from ingest.settings import BackoffSettings


def test_delays_grow_exponentially_up_to_the_cap_without_jitter() -> None:
    backoff = Backoff(BackoffSettings(initial_s=0.5, max_s=4.0, multiplier=2.0, jitter=0.0), random.Random(1))
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_jitter_stays_within_its_band_and_varies() -> None:
    backoff = Backoff(BackoffSettings(initial_s=1.0, max_s=1.0, jitter=0.25), random.Random(7))
    delays = [backoff.next_delay() for _ in range(200)]
    assert all(0.75 <= d <= 1.25 for d in delays)
    assert max(delays) - min(delays) > 0.3  # cameras that failed together spread out


def test_reset_starts_over() -> None:
    backoff = Backoff(BackoffSettings(initial_s=1.0, max_s=60.0, jitter=0.0), random.Random(0))
    for _ in range(4):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 1.0


def test_settings_refuse_a_cap_below_the_start() -> None:
    with pytest.raises(ValueError, match=r"max_s 1\.0 is below initial_s 2\.0"):
        BackoffSettings(initial_s=2.0, max_s=1.0)
