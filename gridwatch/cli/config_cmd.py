"""`gridwatch config` (placeholder until its owner fills it in)."""

from __future__ import annotations

from gridwatch.cli.types import Subparsers


def register(subparsers: Subparsers) -> None:
    """Register this command group (not yet implemented)."""
