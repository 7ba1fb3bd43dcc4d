"""The clean frame kept beside each annotated evidence snapshot.

An evidence snapshot has boxes, labels and zones drawn on it: good for people, useless for training a model.
The detector writes the frame as it was captured beside it, under the same key with ``.raw.jpg`` in place of
``.jpg``; whoever holds a snapshot's URL (dispatch, turning a case into a labelled example) finds the clean
frame by the same rule.
"""

from __future__ import annotations

SNAPSHOT_SUFFIX = ".jpg"
RAW_SUFFIX = ".raw.jpg"


def raw_frame_of(snapshot: str) -> str | None:
    """The key or URL of the clean frame of the snapshot key or URL ``snapshot``; None when ``snapshot`` is
    not a ``.jpg`` snapshot (or is a clean frame itself)."""
    if not snapshot.endswith(SNAPSHOT_SUFFIX) or snapshot.endswith(RAW_SUFFIX):
        return None
    return snapshot[: -len(SNAPSHOT_SUFFIX)] + RAW_SUFFIX
