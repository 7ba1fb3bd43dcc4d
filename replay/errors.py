"""The one error replay raises for bad input: a label file, a sweep spec, a mapping, a config."""

from __future__ import annotations


class ReplayError(ValueError):
    """Bad replay input; the message names the problem (and file:line where there is one)."""
