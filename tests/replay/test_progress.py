"""The progress line: work that reports ``(done, total)`` sets both; the line shows them and the rate."""

from __future__ import annotations

import io

from replay.progress import ProgressBar


def test_reach_sets_the_total_and_what_is_done() -> None:
    now = [0.0]
    stream = io.StringIO()
    bar = ProgressBar("export", None, stream=stream, clock=lambda: now[0], every_s=0.0, width=10)
    now[0] = 2.0
    bar.reach(3, 12)
    bar.reach(6, 12)
    assert (bar.done, bar.total) == (6, 12)
    assert bar.line(2.0) == "export [#####-----] 6/12 3.0/s"
    bar.finish()
    assert stream.getvalue().endswith("6/12 3.0/s\n")
